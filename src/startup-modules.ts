// Build-time only (esbuild `inject`, see scripts/build.mjs): the modules the everyday commands need,
// imported into every entry so the bundler keeps them in one shared chunk instead of a dozen tiny
// files, each of which costs the ESM loader a resolve, read, compile and link at start-up. Heavy
// dependencies (undici, @inquirer/prompts, qrcode-terminal, conf, chalk) stay behind dynamic imports.
import './commands/create.js';
import './commands/query.js';
import './commands/sign.js';
import './commands/verify.js';
import './config/resolve.js';
import './config/settings.js';
import './config/store.js';
import './context.js';
import './core/canonical.js';
import './core/channels.js';
import './core/diagnose.js';
import './core/input.js';
import './core/mask.js';
import './core/money.js';
import './core/order.js';
import './core/response.js';
import './core/sign.js';
import './core/status.js';
import './credentials.js';
import './errors.js';
import './field-source.js';
import './gateway/client.js';
import './gateway/query.js';
import './history.js';
import './io.js';
import './prompt.js';
import './render/payment.js';
import './render/qr.js';
import './render/spinner.js';
import './version.js';
