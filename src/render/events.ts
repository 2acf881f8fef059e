// One line per mock request/payment/notify and per received notify: human text, or JSON lines with --json.
import type { Context } from '../context.js';
import { formatMoney } from '../core/money.js';
import { printable, printableFields } from '../core/printable.js';
import { statusText } from '../core/status.js';
import type { NotifyEvent } from '../servers/listener.js';
import type { MockEvent } from '../servers/mock.js';
import { localClock } from './time.js';
import { count } from './words.js';


export function mockEventLine(ctx: Context, event: MockEvent): string {
  if (ctx.json) return JSON.stringify(event);
  // Paths, order numbers and messages come from the mock's clients: no control characters reach the terminal.
  const e = printableFields(event);
  const c = ctx.color;
  const t = c.dim(localClock(e.time));
  switch (e.event) {
    case 'request': {
      const result = e.retCode === 'SUCCESS' ? c.green('SUCCESS') : e.retCode ? c.red(`FAIL ${String(e.retMsg ?? '')}`) : c.yellow(String(e.fault ?? e.error ?? e.status ?? ''));
      const amount = e.amount !== undefined ? formatMoney(String(e.amount), '') : '';
      const cause = e.likelyCause ? c.dim(`(likely cause: ${String(e.likelyCause)})`) : '';
      const line = [t, `${e.method} ${e.path}`, e.channelId ?? '', amount, '→', result, e.payOrderId ?? '', e.status !== undefined ? `status ${String(e.status)}` : '', cause]
        .filter((x) => x !== '')
        .join('  ');
      // --verbose: both sides of the exchange, from the event as logged, control characters escaped.
      if (event.received === undefined) return line;
      return [line, c.dim(`          received  ${printable(String(event.received))}`), c.dim(`          answered  ${printable(JSON.stringify(event.answered))}`)].join('\n');
    }
    case 'payment':
      return `${t}  ${c.green('paid')}  ${String(e.payOrderId)}  ${String(e.mchOrderNo)}  ${String(e.amount)}`;
    case 'cancel':
      return `${t}  ${c.yellow('cancelled')}  ${String(e.payOrderId)}  ${String(e.mchOrderNo)}  status ${String(e.status)} (${statusText(Number(e.status))})`;
    case 'notify':
      return `${t}  notify ${String(e.payOrderId)} attempt ${String(e.attempt)}/${String(e.of)} → ${String(e.to)}  ${String(e.detail)} ${e.ok ? c.green('✓') : c.red('✗')}`;
    case 'refund':
      return `${t}  ${c.cyan('refund')}  ${String(e.payOrderId)}  ${String(e.mchRefundNo)}  ${String(e.amount)}`;
    default: {
      // Stopped with notify work left: say what became of it.
      const dropped = Array.isArray(e.retriesDropped) ? (e.retriesDropped as string[]) : [];
      const finished = Number(e.notifiesFinished ?? 0);
      const parts = [
        `${count(finished, 'in-flight notify', 'in-flight notifies')} finished`,
        `${Number(e.notifiesCut ?? 0)} cut off`,
        `${count(dropped.length, 'retry', 'retries')} dropped${dropped.length ? ` (${dropped.join(', ')})` : ''}`,
      ];
      return `${t}  ${c.yellow('stopping')}: ${parts.join(', ')}`;
    }
  }
}

export function notifyEventLine(ctx: Context, event: NotifyEvent): string {
  if (ctx.json) return JSON.stringify(event);
  // Every value here came from whoever sent the notify.
  const e = printableFields(event);
  const c = ctx.color;
  const verdict =
    e.verdict === 'verified' ? c.green('✓ verified') : e.verdict === 'forged' ? c.red('✗ forged') : c.red(`✗ ${e.verdict}`);
  const money = e.amount && /^\d+$/.test(e.amount) ? formatMoney(e.amount, e.currency ?? '') : (e.amount ?? '');
  const status = e.status !== undefined ? `status ${e.status} (${statusText(Number(e.status))})` : '';
  // The gateway stops retrying only when it reads `success` (the mock holds to the same rule); read from the
  // answer as sent, not its escaped copy.
  const unacknowledged = event.forward && !event.forward.error && (event.forward.body ?? '').trim() !== 'success' ? c.yellow(' (not "success": the gateway will send it again)') : '';
  const forward = e.forward
    ? `→ ${e.forward.error ? c.red(`forward failed: ${e.forward.message ?? e.forward.error}`) : `handler HTTP ${e.forward.status} ${printable(JSON.stringify((event.forward?.body ?? '').slice(0, 40)))}${unacknowledged}`}`
    : '';
  const line = [c.dim(localClock(e.time)), verdict, e.repeat ? c.yellow('(repeat)') : '', e.payOrderId ?? '', e.mchOrderNo ?? '', money, status, e.reason ? c.dim(e.reason) : '', forward, c.dim(`→ ${e.answer.status} ${e.answer.body}`)]
    .filter((x) => x !== '')
    .join('  ');
  // --verbose: the notify as it came (escaped by printableFields above).
  return e.received === undefined ? line : `${line}\n${c.dim(`          received  ${e.received}`)}`;
}
