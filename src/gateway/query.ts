// query_order once, and polling it until the order is paid, cancelled or the wait runs out.
import type { Context } from '../context.js';
import { buildQueryParams } from '../core/order.js';
import { checkResponseSign, orderStatus, otherOrder, outcome, queryOrder, type Response, type SignatureVerdict } from '../core/response.js';
import { withSign } from '../core/sign.js';
import { isFinal, isPaid, statusText } from '../core/status.js';
import { CancelError, CliError, GatewayError, SignatureError, TransportError } from '../errors.js';
import type { GatewayClient } from './client.js';
import { foreignAnswer, gatewayFailure } from './failure.js';

export interface OrderRef {
  payOrderId?: string;
  mchOrderNo?: string;
}

export interface QueryResult {
  response: Response;
  signature: SignatureVerdict;
  status?: number;
  statusText: string;
  paid: boolean;
}

export function describeRef(ref: OrderRef): string {
  return ref.payOrderId ? `payOrderId ${ref.payOrderId}` : `mchOrderNo ${ref.mchOrderNo}`;
}

export function queryCommand(ref: OrderRef, sandbox = false): string {
  const order = ref.payOrderId ? `--pay-order-id ${ref.payOrderId}` : `--mch-order-no ${ref.mchOrderNo}`;
  // A sandbox order is known only to the sandbox: the gateway would answer that there is no such order.
  return `iotpay query ${order}${sandbox ? ' --sandbox' : ''}`;
}

/**
 * One signed query_order and what is wrong with its answer, if anything: FAIL (exit 1) or a
 * forged sign (exit 4). Such an answer has no status (a forged one's is not trusted) and is not paid.
 */
export async function queryAnswer(
  client: GatewayClient,
  mchId: string,
  key: string,
  ref: OrderRef,
  stop?: AbortSignal,
): Promise<{ result: QueryResult; problem?: CliError }> {
  const params = withSign(buildQueryParams(mchId, ref), key);
  const { body } = await client.call('query_order', params, stop);
  const answered = outcome(body);
  const signature = checkResponseSign(body, key);
  const unusable = (problem: CliError) => ({ result: { response: body, signature: signature.verdict, statusText: statusText(undefined), paid: false }, problem });
  if (signature.verdict === 'mismatch') {
    return unusable(new SignatureError(`the query_order answer's sign does not match (${signature.reason}): not trusting its status`));
  }
  if (!answered.ok) return unusable(gatewayFailure('query_order', body, mchId));
  const foreign = otherOrder(queryOrder(body), { mchId, mchOrderNo: ref.mchOrderNo, payOrderId: ref.payOrderId });
  if (foreign) return unusable(foreignAnswer('query_order', foreign, 'not trusting its status'));
  const status = orderStatus(body);
  return {
    result: {
      response: body,
      signature: signature.verdict,
      ...(status === undefined ? {} : { status }),
      statusText: statusText(status),
      paid: isPaid(status),
    },
  };
}

/** queryAnswer that throws what is wrong with the answer. */
export async function queryOnce(client: GatewayClient, mchId: string, key: string, ref: OrderRef, stop?: AbortSignal): Promise<QueryResult> {
  const { result, problem } = await queryAnswer(client, mchId, key, ref, stop);
  if (problem) throw problem;
  return result;
}

/** A wait ended by an answer that cannot be used (FAIL, a forged sign, another order's): its error, with that answer. */
export class WaitEnded extends CliError {
  constructor(
    problem: CliError,
    readonly last: QueryResult,
  ) {
    super(problem.message, problem.exitCode, problem.hint);
  }
}

/** The last answer a failed or stopped wait had, for a --json document that still shows it. */
export function lastAnswer(err: unknown): QueryResult | undefined {
  return err instanceof WaitEnded || err instanceof WaitStopped ? err.last : undefined;
}

/** A wait stopped by Ctrl-C or SIGTERM (exit 130), with the last answer it had, if any. */
export class WaitStopped extends CancelError {
  constructor(
    message: string,
    readonly last?: QueryResult,
  ) {
    super(message);
  }
}

/** What --wait --json reports: the last status seen, or none yet. */
export function waitFields(waited: QueryResult | undefined): { status: number | null; statusText: string; paid: boolean } {
  return waited ? { status: waited.status ?? null, statusText: waited.statusText, paid: waited.paid } : { status: null, statusText: statusText(undefined), paid: false };
}

export interface WaitOptions {
  timeoutSeconds: number;
  /** Called after each poll: for a spinner line. */
  onPoll?: (result: QueryResult | undefined, elapsedMs: number) => void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelError());
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new CancelError());
      },
      { once: true },
    );
  });
}

/**
 * Polls with backoff (1 s growing to 5 s) until paid or cancelled, or the wait
 * runs out. Transport errors are retried until then; Ctrl-C exits 130 and says
 * how to check the order later.
 */
export async function waitForFinal(
  ctx: Context,
  client: GatewayClient,
  mchId: string,
  key: string,
  ref: OrderRef,
  opts: WaitOptions,
): Promise<QueryResult> {
  const started = Date.now();
  const deadline = started + opts.timeoutSeconds * 1000;
  const controller = new AbortController();
  // Ctrl-C, or a CI job's timeout (SIGTERM): stop waiting and say how to check later, rather than die silently.
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let delay = 1000;
  let last: QueryResult | undefined;
  try {
    for (;;) {
      try {
        // A signal also aborts a query that is out, so Ctrl-C never waits for a slow answer.
        const { result, problem } = await queryAnswer(client, mchId, key, ref, controller.signal);
        if (problem) throw new WaitEnded(problem, result);
        last = result;
        if (isFinal(last.status)) return last;
      } catch (err) {
        if (controller.signal.aborted) throw new CancelError();
        if (!(err instanceof TransportError)) throw err;
        ctx.warn(`${err.message}; still waiting`);
      }
      opts.onPoll?.(last, Date.now() - started);
      const left = deadline - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(delay, left), controller.signal);
      delay = Math.min(5000, Math.round(delay * 1.5));
    }
  } catch (err) {
    if (err instanceof CancelError) {
      throw new WaitStopped(`stopped waiting; the order may still be paid: check with ${queryCommand(ref, ctx.sandbox)}`, last);
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (!last) throw new TransportError(`no answer to query_order for ${describeRef(ref)} during the wait`);
  return last;
}

/** Exit 1 after a wait that ended unpaid (cancelled or timed out). */
export function unpaidError(result: QueryResult, ref: OrderRef, timedOutAfter?: number, sandbox = false): CliError {
  return isFinal(result.status)
    ? new GatewayError(`order ${result.statusText}: not paid`)
    : new GatewayError(`not paid after ${timedOutAfter ?? 0} s (status: ${result.statusText})`, `raise --wait-timeout, or check later with ${queryCommand(ref, sandbox)}`);
}
