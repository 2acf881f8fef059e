// Preloaded with --import: records every file the process loads (ESM imports) on stderr.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      if (result.url.startsWith('file:')) process.stderr.write('IOTPAY_LOADED ' + result.url + '\\n');
      return result;
    }`),
);
