// `iotpay doctor`: configuration, key sanity, DNS, HTTPS, clock skew and — with no side effect — whether the gateway accepts the credentials.
import { lookup } from 'node:dns/promises';
import type { Context } from '../context.js';
import { checkBaseUrl, inQuotes, notifyUnreachable, QUOTES_WHY } from '../config/settings.js';
import { missingSetting, type Resolved } from '../config/resolve.js';
import { clockSkew } from '../core/clock.js';
import { maskKey } from '../core/mask.js';
import { keyOverride, onLoopback, overrideNote, sandboxHint } from '../credentials.js';
import { buildQueryParams } from '../core/order.js';
import { failureCause, outcome } from '../core/response.js';
import { withSign } from '../core/sign.js';
import { ExitCode, CliError } from '../errors.js';
import { openGateway, proxyFor } from '../gateway/client.js';
import { count } from '../render/words.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface Check {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface DoctorOptions {
  caFile?: string;
}

/**
 * Where a setting's value was read from, said as the place to change it: a value changed anywhere
 * else (the profile, when IOTPAY_KEY is set) would still be overridden.
 */
function readFrom(found: Resolved, name: string): string {
  if (found.source === 'flag') return `the ${found.origin} flag`;
  if (found.source === 'env') return found.origin;
  const profile = found.profile ?? 'default';
  return `${found.origin} (iotpay ${profile === 'default' ? '' : `--profile ${profile} `}config set ${name})`;
}

/** What the gateway's answer to a query for an order that cannot exist says about the credentials. */
export function credentialVerdict(answer: Record<string, unknown>): 'accepted' | 'unknown-merchant' | 'bad-sign' | 'unclear' {
  if (outcome(answer as never).ok) return 'accepted';
  const cause = failureCause(answer as never);
  if (cause) return cause;
  const message = `${String(answer.retMsg ?? '')} ${String(answer.errCodeDes ?? '')}`.toLowerCase();
  return /not exist|no such order|不存在|not found/.test(message) ? 'accepted' : 'unclear';
}

function keyProblems(key: string): string[] {
  const problems: string[] = [];
  if (inQuotes(key)) problems.push(`is in quotes, which are part of the value (${QUOTES_WHY})`);
  if (key !== key.trim()) problems.push('has leading or trailing white space');
  else if (/\s/.test(key)) problems.push('contains white space');
  if (/[^\x21-\x7e]/.test(key.replace(/\s/g, ''))) problems.push('has characters that are not printable ASCII');
  if (key.length < 16) problems.push(`is only ${key.length} characters long`);
  if (key.length > 128) problems.push(`is ${key.length} characters long`);
  return problems;
}

export async function runDoctor(opts: DoctorOptions, ctx: Context): Promise<void> {
  const checks: Check[] = [];
  const add = (check: Check) => {
    checks.push(check);
    return check;
  };
  let exit: number = ExitCode.Ok;

  // 1. Configuration.
  const mchId = await ctx.settings.resolve('mchId');
  const key = await ctx.settings.resolve('key');
  const jobNo = await ctx.settings.resolve('jobNo');
  const baseUrl = (await ctx.settings.resolve('baseUrl'))!;
  if (key) ctx.addSecret(key.value);
  const unset = [...(mchId ? [] : ['mchId' as const]), ...(key ? [] : ['key' as const])];
  const missing = unset.map((k) => missingSetting(k, ''));
  const baseProblem = checkBaseUrl(baseUrl.value);
  if (missing.length > 0 || baseProblem) {
    add({
      id: 'config',
      title: 'configuration',
      status: 'fail',
      detail: [...missing.map((m) => m.message.replace(/ is required $/, ' is not set')), ...(baseProblem ? [`base URL: ${baseProblem}`] : [])].join('; '),
      fix:
        [...missing.map((m) => m.hint), ...(unset.length > 0 && (await onLoopback(ctx)) ? [sandboxHint(unset)] : [])].join('; ') ||
        'set a valid base URL with iotpay config set base-url',
    });
    exit = ExitCode.Usage;
  } else {
    // What create would warn about at every order: a notify URL the gateway can never call.
    const notifyUrl = await ctx.settings.resolve('notifyUrl');
    const unreachable = notifyUrl !== undefined && notifyUnreachable(notifyUrl.value, baseUrl.value);
    const fixes = [
      ...(jobNo ? [] : ['create and refund also need the login name: iotpay config set job-no <login>']),
      ...(unreachable ? [`the notify URL ${notifyUrl!.value} (${notifyUrl!.origin}) is on this machine or a private network, which ${new URL(baseUrl.value).host} cannot call: set a public one, or use a tunnel`] : []),
    ];
    add({
      id: 'config',
      title: 'configuration',
      status: fixes.length === 0 ? 'pass' : 'warn',
      detail: `mchId ${mchId!.value} (${mchId!.origin}), key ${maskKey(key!.value)} (${key!.origin}), base URL ${baseUrl.value} (${baseUrl.origin})${jobNo ? `, jobNo ${jobNo.value}` : ''}${notifyUrl ? `, notify URL ${notifyUrl.value}` : ''}`,
      ...(fixes.length === 0 ? {} : { fix: fixes.join('; ') }),
    });
  }

  // 2. Key sanity.
  if (key) {
    const problems = keyProblems(key.value);
    add(
      problems.length === 0
        ? { id: 'key', title: 'key looks sane', status: 'pass', detail: `${key.value.length} printable characters` }
        : {
            id: 'key',
            title: 'key looks sane',
            status: 'warn',
            detail: `the key ${problems.join(', ')}`,
            fix: inQuotes(key.value) ? `remove the quotes around the key in ${readFrom(key, 'key')}` : 'copy the key again from the IOTPay merchant console',
          },
    );
  } else {
    add({ id: 'key', title: 'key looks sane', status: 'skip', detail: 'no key' });
  }

  // 3-5. Network: DNS, HTTPS and clock need only a base URL (whether this machine reaches the gateway is
  // worth knowing before the merchant's credentials are at hand); the credentials check needs both.
  const credentials = mchId && key ? { mchId: mchId.value, key: key.value } : undefined;
  if (baseProblem) {
    for (const [id, title] of [['dns', 'base URL resolves'], ['http', 'gateway answers'], ['clock', 'clock skew'], ['credentials', 'credentials accepted']]) {
      add({ id: id!, title: title!, status: 'skip', detail: 'no valid base URL' });
    }
  } else {
    const url = new URL(baseUrl.value);
    let reachable = true;
    try {
      const found = await lookup(url.hostname.replace(/^\[|\]$/g, ''));
      add({ id: 'dns', title: 'base URL resolves', status: 'pass', detail: `${url.hostname} → ${found.address}` });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'DNS error';
      const proxy = proxyFor(ctx.env, url);
      if (proxy) {
        // Behind a proxy, often only the proxy can resolve outside names: the request check below decides.
        add({ id: 'dns', title: 'base URL resolves', status: 'warn', detail: `cannot resolve ${url.hostname} here (${code}); requests go through the proxy ${URL.canParse(proxy) ? new URL(proxy).host : proxy}, which resolves it` });
      } else {
        reachable = false;
        add({ id: 'dns', title: 'base URL resolves', status: 'fail', detail: `cannot resolve ${url.hostname} (${code})`, fix: 'check the base URL and this machine\'s DNS' });
      }
    }
    let answer: { body: Record<string, unknown>; date?: string } | undefined;
    let sentAt = 0;
    let answeredAt = 0;
    if (reachable) {
      const client = await openGateway(ctx, opts.caFile ? { caFile: opts.caFile } : {});
      const probe = `DOCTOR${process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex').toUpperCase()}`;
      try {
        sentAt = ctx.now().getTime();
        // Without credentials the probe goes unsigned: any answer shows the gateway is reachable.
        const params = credentials ? withSign(buildQueryParams(credentials.mchId, { mchOrderNo: probe }), credentials.key) : { ...(mchId ? { mchId: mchId.value } : {}), mchOrderNo: probe };
        answer = await client.call('query_order', params);
        answeredAt = ctx.now().getTime();
        add({ id: 'http', title: 'gateway answers', status: 'pass', detail: `${url.protocol === 'https:' ? 'TLS and HTTP work' : 'HTTP works'}: query_order answered in ${answeredAt - sentAt} ms` });
      } catch (err) {
        reachable = false;
        // The error's own hint (a base URL without /v1, say) is more exact than the general advice.
        const fix = (err instanceof CliError && err.hint) || 'check the base URL, proxies (HTTPS_PROXY) and firewall; --ca-file for a private CA';
        add({ id: 'http', title: 'gateway answers', status: 'fail', detail: err instanceof CliError ? err.message : String(err), fix });
      } finally {
        await client.close();
      }
    } else {
      add({ id: 'http', title: 'gateway answers', status: 'skip', detail: 'DNS failed' });
    }
    if (!reachable || !answer) {
      // A configuration failure, found first, keeps its exit code.
      if (exit === ExitCode.Ok) exit = ExitCode.Transport;
      add({ id: 'clock', title: 'clock skew', status: 'skip', detail: 'no answer' });
      add({ id: 'credentials', title: 'credentials accepted', status: 'skip', detail: credentials ? 'no answer' : 'configuration incomplete' });
    } else {
      const serverTime = answer.date ? Date.parse(answer.date) : NaN;
      if (Number.isNaN(serverTime)) add({ id: 'clock', title: 'clock skew', status: 'skip', detail: 'the answer has no Date header' });
      else {
        const skew = clockSkew(sentAt, answeredAt, serverTime);
        add({
          id: 'clock',
          title: 'clock skew',
          status: Math.abs(skew) > 60 ? 'warn' : 'pass',
          detail:
            skew === 0
              ? "this machine's clock is in step with the gateway's (to the second its Date header gives)"
              : `this machine is about ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the gateway`,
          ...(Math.abs(skew) > 60 ? { fix: 'sync the clock (NTP): order times and paySuccTime will look wrong' } : {}),
        });
      }
      const said = String(answer.body.retMsg ?? answer.body.errCodeDes ?? answer.body.retCode ?? '');
      const verdict = credentials ? credentialVerdict(answer.body) : 'untested';
      const inferred = `inferred from the gateway's answer to a query for an order that cannot exist: "${said}"`;
      if (verdict === 'untested') {
        add({ id: 'credentials', title: 'credentials accepted', status: 'skip', detail: 'configuration incomplete' });
      } else if (verdict === 'accepted') {
        add({ id: 'credentials', title: 'credentials accepted', status: 'pass', detail: `merchant id and key accepted (${inferred}); nothing was created or charged` });
      } else {
        exit = ExitCode.GatewayFail;
        add({
          id: 'credentials',
          title: 'credentials accepted',
          status: 'fail',
          detail: verdict === 'unknown-merchant' ? `the gateway does not know merchant ${mchId!.value} (${inferred})` : verdict === 'bad-sign' ? `the gateway rejected the signature: the key is wrong for merchant ${mchId!.value} (${inferred})` : `the answer does not say whether the credentials are good (${inferred})`,
          fix:
            verdict === 'unknown-merchant'
              ? inQuotes(mchId!.value)
                ? `the merchant id ${mchId!.value} is in quotes, which are part of the value: remove them in ${readFrom(mchId!, 'mch-id')} (${QUOTES_WHY})`
                : `check the merchant id, read from ${readFrom(mchId!, 'mch-id')}, and that the base URL is its gateway`
              : verdict === 'bad-sign'
                ? `copy the key again from the IOTPay merchant console: it is read from ${readFrom(key!, 'key')}${overrideNote(await keyOverride(ctx))}`
                : 'contact IOTPay support with this message',
        });
      }
    }
  }

  if (ctx.json) ctx.printJson(checks);
  else {
    const c = ctx.color;
    const mark = { pass: c.green('✓'), warn: c.yellow('!'), fail: c.red('✗'), skip: c.dim('-') };
    for (const check of checks) {
      ctx.out(`${mark[check.status]} ${check.title}: ${check.status === 'skip' ? c.dim(check.detail) : check.detail}`);
      if (check.fix && check.status !== 'pass') ctx.out(`    ${c.dim('fix:')} ${check.fix}`);
    }
  }
  if (exit !== ExitCode.Ok) {
    const failed = checks.filter((ch) => ch.status === 'fail').map((ch) => ch.title);
    throw new CliError(`doctor: ${count(failed.length, 'check')} failed (${failed.join(', ')})`, exit as CliError['exitCode']);
  }
}
