// The commander tree: flags and help for every command; each action fills an options object and lazy-imports its command.
import { Command, type AddHelpTextContext } from 'commander';
import { prepareContext, type Context, type ContextBase, type GlobalOptions } from './context.js';
import { isTerminal } from './io.js';
import { VERSION } from './version.js';


export interface ProgramHooks {
  /** Called with each context an action creates, so errors can be redacted with its secrets. */
  onContext?: (ctx: Context) => void;
}

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** A command's exit codes, one a line (laid out by afterHelp). */
function exitCodes(codes: Array<[number, string]>): string {
  return `\nExit codes:\n${codes.map(([code, meaning]) => `${code}\t${meaning}`).join('\n')}\n`;
}

/** Text after the options: its prose wrapped to the help's width, as commander wraps descriptions; example commands whole. */
function afterHelp(text: string): (context: AddHelpTextContext) => string {
  return ({ command, error }) => {
    const help = command.createHelp();
    const output = command.configureOutput();
    const width = (error ? output.getErrHelpWidth?.() : output.getOutHelpWidth?.()) ?? 80;
    help.helpWidth = width;
    const lines = text.split('\n');
    // A "term\tdescription" line is laid out as commander lays out an option: terms aligned, the description
    // wrapped under itself.
    const items = lines.filter((line) => line.includes('\t')).map((line) => line.split('\t') as [string, string]);
    const termWidth = Math.max(0, ...items.map(([term]) => help.displayWidth(term)));
    return lines
      .map((line) => {
        if (line.startsWith('  $ ')) return line;
        const [term, description] = line.split('\t');
        if (description === undefined) return help.boxWrap(line, width);
        // Too narrow for two columns: the description goes under its term.
        if (width - termWidth - 4 < help.minWidthToWrap) return `  ${term}\n${help.boxWrap(description, width - 6).replace(/^/gm, '      ')}`;
        return help.formatItem(term!, termWidth, description, help);
      })
      .join('\n');
  };
}

const VALUE_OPTIONS = new Set(['--profile', '--mch-id', '--key', '--job-no', '--base-url', '--timeout']);

/** Every command's name; a test holds it to the tree below. */
export const COMMAND_NAMES = ['sign', 'verify', 'config', 'create', 'query', 'qr', 'history', 'refund', 'doctor', 'completion', 'mock', 'listen'] as const;

/**
 * The commands whose options and actions must be built for this argv: the one invoked
 * (also after `help`), or all of them for `completion`. Building only those keeps
 * start-up short; the root help needs just each command's name, usage and description.
 */
export function commandsToBuild(argv: readonly string[]): ReadonlySet<string> | 'all' {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    words.push(arg);
  }
  if (words[0] === 'completion') return 'all';
  return new Set(words[0] === 'help' ? words.slice(1, 2) : words.slice(0, 1));
}

export function buildProgram(base: ContextBase, hooks: ProgramHooks = {}, argv?: readonly string[]): Command {
  const program = new Command('iotpay');
  const toBuild = argv ? commandsToBuild(argv) : 'all';
  const terms = new Map<string, string>();

  // `iotpay sign …` needs no other command at all; anything else (help, a typo) needs them all listed.
  const only = toBuild !== 'all' && toBuild.size === 1 && argv?.[0] !== 'help' ? [...toBuild][0] : undefined;
  const registerOnly = only !== undefined && (COMMAND_NAMES as readonly string[]).includes(only) ? only : undefined;

  /** Registers a command; its options and action are added only when it may run. */
  const define = (name: string, term: string, description: string, build: (cmd: Command) => unknown) => {
    if (registerOnly !== undefined && name !== registerOnly) return;
    const cmd = program.command(name).description(description);
    terms.set(name, term);
    if (toBuild === 'all' || toBuild.has(name)) build(cmd);
  };

  /** Runs an action with a context made from the command's own and global options. */
  const action =
    <A extends unknown[]>(run: (ctx: Context, opts: Record<string, unknown>, ...args: A) => Promise<void>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args[args.length - 1] as Command;
      const opts = cmd.optsWithGlobals() as Record<string, unknown>;
      const ctx = await prepareContext(base, opts as GlobalOptions);
      hooks.onContext?.(ctx);
      await run(ctx, opts, ...(args.slice(0, -2) as A));
    };

  // Before any subcommand exists: commander copies these settings into each one as it is made.
  program.exitOverride();
  program.configureOutput({
    writeOut: (text) => base.streams.stdout.write(text),
    writeErr: (text) => base.streams.stderr.write(text),
    // One line, as every other failure: the error and where to look.
    outputError: (text, write) => write(`${text.trimEnd().replace(/\n+/g, ' ')} (add --help for usage)\n`),
    // Decided without creating the streams (commander would look at process.stdout): help is plain
    // text, wrapped to the terminal's width or 80 columns.
    getOutHasColors: () => false,
    getErrHasColors: () => false,
    getOutHelpWidth: () => (isTerminal(base.streams, 'stdout') ? (base.streams.stdout.columns || 80) : 80),
    getErrHelpWidth: () => 80,
  });
  program
    .description('Sign, verify, create and query IOTPay gateway orders from the terminal')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--json', 'print JSON on stdout: one document (mock and listen: one object per line), no colour or QR art')
    .option('--verbose', 'say where each setting came from, show each gateway request and answer; stack traces on errors')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)')
    .option('--no-input', 'never prompt; a missing value is an error')
    .option('--profile <name>', 'config profile to use (env IOTPAY_PROFILE)')
    .option('--mch-id <id>', 'merchant id (env IOTPAY_MCH_ID)')
    .option('--key <key>', 'merchant key; visible in the process list, prefer IOTPAY_KEY (env IOTPAY_KEY)')
    .option('--job-no <login>', 'merchant login name, jobNo (env IOTPAY_JOB_NO)')
    .option('--base-url <url>', 'API base URL (env IOTPAY_BASE_URL, default https://api.iotpaycloud.com/v1)')
    .option('--timeout <ms>', 'request timeout in ms (env IOTPAY_TIMEOUT, default 15000)')
    .configureHelp({
      showGlobalOptions: true,
      sortSubcommands: false,
      // commander leaves a description unwrapped when its column would be under 40 wide: on a 60-column pane every
      // long line then wraps at the edge, under the option names. A narrower column still reads.
      minWidthToWrap: 20,
      // Unbuilt commands have no options yet: give the root help the usage they will have.
      subcommandTerm: (cmd) => {
        const term = terms.get(cmd.name());
        return term === undefined ? `${cmd.name()} ${cmd.usage()}`.trim() : `${cmd.name()} ${term}`.trim();
      },
    })
    .addHelpText(
      'after',
      afterHelp(
        exitCodes([
          [0, 'done; the gateway said SUCCESS (with --wait: paid)'],
          [1, 'the gateway answered FAIL, or --wait ended unpaid'],
          [2, 'usage, input or configuration error: nothing was sent'],
          [3, 'transport error: timeout, refused, DNS, TLS, not JSON'],
          [4, 'signature error: a mismatch, or a forged answer'],
          [130, 'interrupted'],
        ]) + `\nDocs: README.md · run \`iotpay <command> --help\` for each command`,
      ),
    );

  const inputHelp =
    'fields as name=value arguments, or one JSON object, params={...} form body, query string, notify URL or name=value lines; - reads stdin';

  define('sign', '[options] [input...]', 'print the 32-character MD5 sign of a field set', (cmd) =>
    cmd
    .argument('[input...]', inputHelp)
    .option('-f, --file <path>', 'read the fields from a file (- for stdin)')
    .option('--explain', 'show the canonical string (key masked) and orderings that would differ')
    .addHelpText(
      'after',
      afterHelp(
        examples([
          'iotpay sign mchId=10000701 mchOrderNo=A1 amount=100',
          `iotpay sign '{"mchId":"10000701","amount":100}' --explain`,
          'iotpay sign --file request.json --json',
        ]),
      ),
    )
    .action(
      action(async (ctx, opts, input: string[]) => {
        const { runSign } = await import('./commands/sign.js');
        await runSign({ input, file: opts.file as string | undefined, explain: opts.explain === true }, ctx);
      }),
    ),
  );

  define('verify', '[options] [input...]', 'check the sign a request, response or notify carries; explain a mismatch', (cmd) =>
    cmd
    .argument('[input...]', inputHelp)
    .option('-f, --file <path>', 'read the fields from a file (- for stdin)')
    .addHelpText(
      'after',
      afterHelp(
        examples([
          `iotpay verify 'https://shop.example/notify?payOrderId=P1&amount=100&sign=…'`,
          'pbpaste | iotpay verify -',
          'iotpay verify --file notify.json --json',
        ]) +
          exitCodes([
            [0, 'the sign is valid'],
            [2, 'no sign, a nested value that cannot be verified, or no key'],
            [4, 'the sign does not match (the output says why)'],
          ]),
      ),
    )
    .action(
      action(async (ctx, opts, input: string[]) => {
        const { runVerify } = await import('./commands/verify.js');
        await runVerify({ input, file: opts.file as string | undefined }, ctx);
      }),
    ),
  );

  define('config', '', 'manage profiles: merchant id, key, login name and defaults', (config) => {
    config
    .addHelpText(
      'after',
      afterHelp(
        examples([
          'iotpay config set mch-id 10000701',
          'iotpay config set key            # hidden prompt',
          'printf %s "$KEY" | iotpay config set key -',
          'iotpay --profile live config set job-no alice',
          'iotpay config use live',
          'iotpay config list',
        ]) + '\nSettings: mch-id, key, job-no, base-url, timeout, currency, notify-url, return-url, client-ip, device\n',
      ),
    );
    const configAction = (name: 'set' | 'get' | 'unset' | 'list' | 'path' | 'profiles' | 'use') =>
    action(async (ctx, _opts, a?: string, b?: string) => {
      const { runConfig } = await import('./commands/config.js');
      await runConfig({ action: name, name: a, value: b }, ctx);
    });
  config
    .command('set')
    .description('set a setting in the selected profile (key: hidden prompt, or - to read a pipe)')
    .argument('<name>', 'setting name')
    .argument('[value]', 'value; omit it to be asked on a terminal (the key hidden), - to read stdin')
    .action(configAction('set'));
  config.command('get').description('print a setting as commands see it (key masked)').argument('<name>').action(configAction('get'));
  config.command('unset').description('remove a setting from the selected profile').argument('<name>').action(configAction('unset'));
  config.command('list').description('every setting with its value and where it comes from').action(configAction('list'));
  config.command('path').description('print the config file path').action(configAction('path'));
  config.command('profiles').description('list profiles; * marks the selected one').action(configAction('profiles'));
  config.command('use').description('select the default profile (on a terminal, omit it to pick one)').argument('[profile]').action(configAction('use'));
  });

  define('create', '[options]', 'create an order: build, check, sign and post create_order, verify the answer, show the QR or URL', (cmd) =>
    cmd
    .option('-c, --channel <ID>', 'channel, e.g. WX_NATIVE, ALIPAY_QR, ALIPAY_WAP, UPI_QR (asked on a terminal)')
    .option('-a, --amount <cents>', 'amount in cents: 2865 is $28.65 (asked on a terminal)')
    .option('--currency <code>', 'three letters (default: profile, else CAD)')
    .option('--subject <text>', 'product title (default "iotpay-cli order")')
    .option('--body <text>', 'product description (default: the subject)')
    .option('--notify-url <url>', 'where the gateway posts the result (default: profile notify-url)')
    .option('--return-url <url>', 'redirect after payment; ALIPAY_PC, ALIPAY_WAP, ALIPAY_MOBILE (default: profile)')
    .option('--mch-order-no <no>', 'your order number, at most 30 chars (default: generated)')
    .option('--client-ip <ip>', 'payer IP (default: profile, else 127.0.0.1)')
    .option('--device <name>', 'device (default: profile, else WEB)')
    .option('--os-type <os>', 'IOS or ANDROID; required by ALIPAY_MOBILE and ALIPAY_WAP')
    .option('--extra <json>', 'channel extra as a JSON object; sent as a compact JSON string')
    .option('--product-id <id>', 'extra.productId (WX_NATIVE; default: the mchOrderNo)')
    .option('--open-id <id>', 'extra.openId (WX_JSAPI)')
    .option('--app-id <id>', 'extra.appId (WX_APP, WX_JSAPI)')
    .option('--param2 <text>', 'echoed back in the notify')
    .option('--remarks <text>', 'remarks')
    .option('--dry-run', 'print the signed request and an equivalent curl command; send nothing')
    .option('--web', 'open the payment page in the browser (ALIPAY_PC, ALIPAY_WAP, UPI_SEQ; $BROWSER is used if set)')
    .option('--wait', 'after creating, poll query_order until paid, cancelled or --wait-timeout')
    .option('--wait-timeout <s>', 'seconds to wait with --wait (default 300)')
    .option('--strict', 'treat warnings (unknown channel, over-long fields) as errors')
    .option('--ca-file <pem>', 'trust this CA certificate for the gateway (private or test CAs)')
    .option('--sandbox', 'no account needed: run against an in-process mock gateway and notify listener (auto-pays after 3 s)')
    .addHelpText(
      'after',
      afterHelp(
        examples([
          'iotpay create --channel WX_NATIVE --amount 100',
          'iotpay create -c ALIPAY_WAP -a 2865 --os-type IOS --return-url https://shop.example/done',
          'iotpay create -c WX_NATIVE -a 100 --dry-run',
          "iotpay create -c ALIPAY_QR -a 100 --json | jq -r .payment.value",
          'iotpay create -c WX_NATIVE -a 100 --wait --wait-timeout 120',
          'iotpay create --sandbox -c ALIPAY_PC -a 1999 --web',
        ]) +
          exitCodes([
            [0, 'created (with --wait: paid)'],
            [1, 'the gateway answered FAIL, or --wait ended unpaid'],
            [2, 'bad input or missing configuration: nothing was sent'],
            [3, 'transport error: the order may exist (the error says how to check)'],
            [4, 'the answer is forged: its payment is not shown'],
            [130, 'interrupted'],
          ]),
      ),
    )
    .action(
      action(async (ctx, opts) => {
        const { runCreate } = await import('./commands/create.js');
        const str = (k: string) => opts[k] as string | undefined;
        await runCreate(
          {
            channel: str('channel'),
            amount: str('amount'),
            currency: str('currency'),
            subject: str('subject'),
            body: str('body'),
            notifyUrl: str('notifyUrl'),
            returnUrl: str('returnUrl'),
            mchOrderNo: str('mchOrderNo'),
            clientIp: str('clientIp'),
            device: str('device'),
            osType: str('osType'),
            extra: str('extra'),
            productId: str('productId'),
            openId: str('openId'),
            appId: str('appId'),
            param2: str('param2'),
            remarks: str('remarks'),
            dryRun: opts.dryRun === true,
            wait: opts.wait === true,
            waitTimeout: str('waitTimeout'),
            strict: opts.strict === true,
            caFile: str('caFile'),
            sandbox: opts.sandbox === true,
            web: opts.web === true,
          },
          ctx,
        );
      }),
    ),
  );

  define('query', '[options]', "show an order's status (0 created, 1 paying, 2 paid, 3 paid and notified, 4/9 cancelled)", (cmd) =>
    cmd
    .option('--mch-order-no <no>', 'your order number (with neither id, a terminal offers recent orders)')
    .option('--pay-order-id <id>', "the gateway's order id")
    .option('--wait', 'poll until paid or cancelled (1 s growing to 5 s)')
    .option('--wait-timeout <s>', 'seconds to wait with --wait (default 300)')
    .option('--ca-file <pem>', 'trust this CA certificate for the gateway')
    .option('--sandbox', 'query an order made with create --sandbox (in-process mock, sandbox credentials)')
    .addHelpText(
      'after',
      afterHelp(
        examples(['iotpay query --mch-order-no IOT20261129185548123ABCDEFGH', 'iotpay query --pay-order-id P0123 --wait --json']) +
          exitCodes([
            [0, 'answered (with --wait: paid)'],
            [1, 'the gateway answered FAIL, or --wait ended unpaid'],
            [2, 'bad input or missing configuration'],
            [3, 'transport error'],
            [4, 'the answer is forged: its status is not trusted'],
            [130, 'interrupted'],
          ]),
      ),
    )
    .action(
      action(async (ctx, opts) => {
        const { runQuery } = await import('./commands/query.js');
        const str = (k: string) => opts[k] as string | undefined;
        await runQuery(
          {
            mchOrderNo: str('mchOrderNo'),
            payOrderId: str('payOrderId'),
            wait: opts.wait === true,
            waitTimeout: str('waitTimeout'),
            caFile: str('caFile'),
            sandbox: opts.sandbox === true,
          },
          ctx,
        );
      }),
    ),
  );

  define('qr', '[options] <text>', 'draw any text as a terminal QR, or write it as PNG/SVG', (cmd) =>
    cmd
    .argument('<text>', 'the text, or - to read stdin')
    .option('--small', 'compact half-block QR even on a colour terminal')
    .option('-o, --out <file>', 'write a .png or .svg image instead')
    .addHelpText('after', examples(["iotpay qr 'weixin://wxpay/bizpayurl?pr=abc'", 'echo hello | iotpay qr -', 'iotpay qr "$URL" --out till.png']))
    .action(
      action(async (ctx, opts, text: string) => {
        const { runQr } = await import('./commands/qr.js');
        await runQr({ text, small: opts.small === true, out: opts.out as string | undefined }, ctx);
      }),
    ),
  );

  define('history', '[options]', 'the orders and refunds this machine made (history.jsonl in the config folder)', (cmd) =>
    cmd
    .option('-n, --limit <count>', 'how many of the latest entries', '20')
    .option('--order <id>', "only this order's lines, its create and its refunds (mchOrderNo or payOrderId)")
    .action(
      action(async (ctx, opts) => {
        const { runHistory } = await import('./commands/history.js');
        await runHistory({ limit: opts.limit as string | undefined, order: opts.order as string | undefined }, ctx);
      }),
    ),
  );

  define('refund', '[options]', 'refund a paid order, in full or in part (asks to confirm; --yes without a terminal)', (cmd) =>
    cmd
    .option('--pay-order-id <id>', "the paid order's payOrderId (without it, a terminal offers recent orders)")
    .option('-a, --amount <cents>', 'refund amount in cents: 2865 is $28.65 (asked on a terminal, the paid amount offered)')
    .option('--mch-refund-no <no>', 'your refund number, at most 30 chars (default: generated)')
    .option('--currency <code>', "default: the order's currency, else profile, else CAD")
    .option('--client-ip <ip>', 'default: profile, else 127.0.0.1')
    .option('--device <name>', 'default: profile')
    .option('-y, --yes', 'confirm without asking (required without a terminal)')
    .option('--no-check', 'skip the query that refuses a refund above the paid amount')
    .option('--ca-file <pem>', 'trust this CA certificate for the gateway')
    .option('--sandbox', 'refund an order made with create --sandbox (in-process mock, sandbox credentials)')
    .addHelpText(
      'after',
      afterHelp(
        examples(['iotpay refund --pay-order-id P0123 --amount 2865', 'iotpay refund --pay-order-id P0123 -a 500 --mch-refund-no R-1 --yes --json']) +
          exitCodes([
            [0, 'refunded'],
            [1, 'the gateway answered FAIL'],
            [2, 'bad input, over-refund or not confirmed: nothing was sent'],
            [3, 'transport error'],
            [4, 'the answer is forged'],
            [130, 'declined at the prompt, or interrupted'],
          ]),
      ),
    )
    .action(
      action(async (ctx, opts) => {
        const { runRefund } = await import('./commands/refund.js');
        const str = (k: string) => opts[k] as string | undefined;
        await runRefund(
          {
            payOrderId: str('payOrderId'),
            amount: str('amount'),
            mchRefundNo: str('mchRefundNo'),
            currency: str('currency'),
            clientIp: str('clientIp'),
            device: str('device'),
            yes: opts.yes === true,
            check: opts.check !== false,
            caFile: str('caFile'),
            sandbox: opts.sandbox === true,
          },
          ctx,
        );
      }),
    ),
  );

  define('doctor', '[options]', 'check configuration, key, DNS, HTTPS, clock and — charging nobody — whether the gateway accepts the credentials', (cmd) =>
    cmd
    .option('--ca-file <pem>', 'trust this CA certificate for the gateway')
    .addHelpText(
      'after',
      afterHelp(
        examples(['iotpay doctor', 'IOTPAY_MCH_ID=… IOTPAY_KEY=… iotpay doctor --json']) +
          '\nThe credentials check queries an order that cannot exist: the gateway checks merchant and sign before the order,\nso its answer tells rejected credentials from accepted ones. Nothing is created or charged.\n' +
            exitCodes([
              [0, 'all good'],
              [1, 'credentials rejected'],
              [2, 'configuration missing (DNS, HTTPS and the clock are still checked)'],
              [3, 'gateway unreachable'],
            ]),
      ),
    )
    .action(
      action(async (ctx, opts) => {
        const { runDoctor } = await import('./commands/doctor.js');
        await runDoctor({ caFile: opts.caFile as string | undefined }, ctx);
      }),
    ),
  );

  define('completion', '[shell]', 'print a shell completion script: bash, zsh or fish', (cmd) =>
    cmd
    .argument('[shell]', 'bash, zsh or fish')
    .addHelpText('after', examples(['source <(iotpay completion bash)   # in ~/.bashrc', 'source <(iotpay completion zsh)    # in ~/.zshrc, after compinit', 'iotpay completion fish > ~/.config/fish/completions/iotpay.fish']))
    .action(
      action(async (ctx, _opts, shell?: string) => {
        const { runCompletion } = await import('./commands/completion.js');
        await runCompletion({ shell }, ctx, program);
      }),
    ),
  );

  define('mock', '[options]', 'run a local IOTPay gateway: create/query/refund, signed answers, simulated payments and notifies', (cmd) =>
    cmd
    .option('-p, --port <port>', 'port (0 picks a free one)', '4010')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--auto-pay <s>', 'pay each order this many seconds after it is created')
    .option('--expire-after <s>', 'cancel each order still unpaid this many seconds after it is created (status 4, as the gateway does)')
    .option('--latency <ms>', 'delay every gateway answer')
    .option('--fault <kind>', 'misbehave on purpose: http500, timeout or badsign')
    .option('--notify-attempts <n>', 'notify deliveries before giving up (default 5)')
    .option('--retry-delay <ms>', 'first notify retry delay, doubling each time (default 1000)')
    .option('--skip-verify', "deliver notifies to an https handler without checking its certificate (a dev server's self-signed one)")
    .addHelpText(
      'after',
      afterHelp(
        examples([
          'iotpay mock --auto-pay 5',
          'IOTPAY_BASE_URL=http://127.0.0.1:4010/v1 iotpay create -c WX_NATIVE -a 100 --notify-url http://127.0.0.1:4242/notify',
          'curl -X POST http://127.0.0.1:4010/mock/orders/<payOrderId>/pay',
          'iotpay mock --fault badsign --json',
        ]) +
          [
            '',
            'With no key configured it uses the sandbox credentials mchId 10000001 / key iotpay-sandbox-key-not-a-secret.',
            'It keeps the newest 100,000 orders; older ones are forgotten.',
            '',
            'Endpoints:',
            'POST /v1/create_order\tcreate an order (the gateway\'s API)',
            'POST /v1/query_order\tan order\'s status',
            'POST /v1/refund_order\trefund a paid order',
            'GET /mock/orders[?limit=N]\tevery order (or the newest N), as JSON',
            'GET /mock/orders/<payOrderId>\tone order, as JSON',
            'POST /mock/orders/<payOrderId>/pay\tpay it now (the notify follows)',
            'POST /mock/orders/<payOrderId>/notify\tsend its notify again',
            'POST /mock/orders/<payOrderId>/cancel\tcancel it: status 9, by the customer',
            'POST /mock/orders/<payOrderId>/expire\texpire it: status 4, by the gateway',
            'GET /mock/pay/<payOrderId>\ta page to pay or cancel it by hand',
            '',
          ].join('\n'),
      ),
    )
    .action(
      action(async (ctx, opts) => {
        const { runMock } = await import('./commands/mock.js');
        const str = (k: string) => opts[k] as string | undefined;
        await runMock(
          {
            port: str('port'),
            host: str('host') ?? '127.0.0.1',
            autoPay: str('autoPay'),
            expireAfter: str('expireAfter'),
            latency: str('latency'),
            fault: str('fault'),
            notifyAttempts: str('notifyAttempts'),
            retryDelay: str('retryDelay'),
            skipVerify: opts.skipVerify === true,
          },
          ctx,
        );
      }),
    ),
  );

  define('listen', '[options]', "receive the gateway's notify calls, verify each sign, answer success/fail, optionally forward", (cmd) =>
    cmd
    .option('-p, --port <port>', 'port (0 picks a free one)', '4242')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--forward-to <url>', 're-send each verified notify to your handler and pass its answer back')
    .option('--skip-verify', "forward to an https handler without checking its certificate (a dev server's self-signed one)")
    .addHelpText(
      'after',
      afterHelp(
        examples(['iotpay listen', 'iotpay listen --forward-to http://localhost:3000/iotpay/notify', 'iotpay listen --json | jq .']),
      ),
    )
    .action(
      action(async (ctx, opts) => {
        const { runListen } = await import('./commands/listen.js');
        await runListen(
          {
            port: opts.port as string | undefined,
            host: (opts.host as string | undefined) ?? '127.0.0.1',
            forwardTo: opts.forwardTo as string | undefined,
            skipVerify: opts.skipVerify === true,
          },
          ctx,
        );
      }),
    ),
  );

  return program;
}
