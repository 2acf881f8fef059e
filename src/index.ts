// The library API: the signing core, usable without the CLI (`import { sign } from 'iotpay-cli'`).
export {
  canonicalString,
  compareCaseInsensitive,
  fieldText,
  isAbsent,
  signedFieldNames,
  UnsignableFieldError,
  type FieldValue,
  type Fields,
} from './core/canonical.js';
export { sign, signCanonical, signsEqual, verify, withSign, type Verification, type VerifyStatus } from './core/sign.js';
export { diagnoseMismatch, differingOrderings, type AlternativeOrdering } from './core/diagnose.js';
export { maskKey } from './core/mask.js';
export { parseFieldText, parseQueryString, parseParamsForm, InputError, type ParsedInput } from './core/input.js';
