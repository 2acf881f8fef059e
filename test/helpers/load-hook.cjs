// Preloaded with --require: on exit, lists on stderr the files and built-in modules the process loaded.
const { register } = require('node:module');

// ES modules (the ESM-only dependencies are loaded with import()).
register(
  'data:text/javascript,' +
    encodeURIComponent(`export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      process.stderr.write('IOTPAY_LOADED ' + result.url + '\\n');
      return result;
    }`),
);
process.on('exit', () => {
  for (const file of Object.keys(require.cache)) process.stderr.write(`IOTPAY_LOADED file://${file}\n`);
  for (const name of process.moduleLoadList) {
    if (name.startsWith('NativeModule ')) process.stderr.write(`IOTPAY_LOADED node:${name.slice(13)}\n`);
  }
});
