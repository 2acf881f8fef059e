// A FAIL answer as the error a command ends with: the gateway's words, and what to do where they tell the cause.
import { failureCause, outcome, type Response } from '../core/response.js';
import { GatewayError } from '../errors.js';

/** Exit 1 with `<endpoint> FAIL: <the gateway's words>`, and a hint when the words name the merchant id or the sign. */
export function gatewayFailure(endpoint: string, response: Response, mchId: string): GatewayError {
  const verdict = outcome(response);
  const message = `${endpoint} FAIL: ${verdict.ok ? 'no failure reported' : verdict.message}`;
  switch (failureCause(response)) {
    case 'bad-sign':
      return new GatewayError(
        message,
        `the gateway did not accept the request's sign: most often the key is not the one it has for merchant ${mchId}; iotpay doctor checks the key without creating anything`,
      );
    case 'unknown-merchant':
      return new GatewayError(message, `check the merchant id ${mchId} (--mch-id, IOTPAY_MCH_ID or iotpay config set mch-id) and that the base URL is its gateway`);
    default:
      return new GatewayError(message);
  }
}
