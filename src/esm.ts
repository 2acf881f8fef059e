// The ESM-only packages (chalk, conf, env-paths, qrcode, qrcode-terminal, @inquirer/prompts) are
// loaded with import() through this one function. bin/iotpay.js compiles the CLI bundle with
// vm.Script to use the V8 code cache the build makes, and inside a vm.Script import() needs an
// experimental flag on Node 20; so the shim hands in an importer from a module Node compiled itself.

type Importer = (specifier: string) => Promise<unknown>;

let importer: Importer = (specifier) => import(specifier);

/** Replaces the importer (the shim's, which resolves from the package as this one would). */
export function useImporter(fn: Importer): void {
  importer = fn;
}

/** import(specifier), typed by the caller: `await importEsm<typeof import('chalk')>('chalk')`. */
export function importEsm<T>(specifier: string): Promise<T> {
  return importer(specifier) as Promise<T>;
}
