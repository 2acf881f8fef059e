// Exit codes of the contract and the typed errors that carry them to src/cli.ts.

export const ExitCode = {
  Ok: 0,
  GatewayFail: 1,
  Usage: 2,
  Transport: 3,
  Signature: 4,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends the command with a contract exit code and one stderr line. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** What the user can do about it; printed after the message. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, bad input, missing configuration: nothing was sent. Exit 2. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Usage, hint);
  }
}

/** A setting (a credential, most often) that no flag, variable or profile gives. Exit 2. */
export class MissingSettingError extends UsageError {}

/** The gateway answered FAIL, or a wait ended unpaid. Exit 1. */
export class GatewayError extends CliError {
  constructor(
    message: string,
    hint?: string,
    /** True when the gateway's words say it refused the request's sign (most often: the wrong key). */
    readonly refusedSign = false,
  ) {
    super(message, ExitCode.GatewayFail, hint);
  }
}

/** Timeout, refused, DNS, TLS, non-2xx, a body that is not JSON. Exit 3. */
export class TransportError extends CliError {
  constructor(
    message: string,
    hint?: string,
    /** False when the request surely never reached the server (refused, DNS, an untrusted certificate). */
    readonly sent = true,
    /** True when the server said nothing there serves the endpoint (HTTP 404/405): the request was not acted on. */
    readonly notServed = false,
  ) {
    super(message, ExitCode.Transport, hint);
  }
}

/** A sign that does not match. Exit 4. */
export class SignatureError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Signature, hint);
  }
}

/** Ctrl-C at a prompt, during a wait or while a request is out. Exit 130. */
export class CancelError extends CliError {
  constructor(message = 'interrupted', hint?: string) {
    super(message, ExitCode.Interrupted, hint);
  }
}

/** Why a file could not be read or written, in words ("no such file", "it is a folder, not a file"). */
export function fileProblem(err: unknown, writing = false): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return writing ? 'its folder does not exist' : 'no such file';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EEXIST':
      return 'something that is not a folder is in the way (a file, or a link to nothing)';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      return code ?? (err instanceof Error ? err.message : String(err));
  }
}
