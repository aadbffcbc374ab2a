/**
 * Errors a user may see. Every FleetError is printed as one line (never a stack trace) by the CLI,
 * and carries the process exit code it maps to. Anything that is not a FleetError is a bug.
 */
import type { UnreachableKind } from './result.js';

export class FleetError extends Error {
  /** Stable machine-readable code, e.g. FLEET_INVENTORY_INVALID. */
  readonly code: string;
  /** Process exit code for this error (1 = usage or input error; nothing ran). */
  readonly exitCode: number;
  constructor(message: string, code = 'FLEET_ERROR', exitCode = 1) {
    super(message);
    this.name = 'FleetError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Where in a user's file a problem is. `line` is 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export function formatLocation(loc: SourceLocation): string {
  return loc.line === undefined ? loc.file : `${loc.file}:${loc.line}${loc.column ? `:${loc.column}` : ''}`;
}

/** Bad input from a user file or argument: names the file and line. Exit 1, before any connection. */
export class InputError extends FleetError {
  readonly location: SourceLocation | undefined;
  constructor(message: string, location?: SourceLocation, code = 'FLEET_INPUT_INVALID') {
    super(location ? `${formatLocation(location)}: ${message}` : message, code, 1);
    this.name = 'InputError';
    this.location = location;
  }
}

export class InventoryError extends InputError {
  constructor(message: string, location?: SourceLocation) {
    super(message, location, 'FLEET_INVENTORY_INVALID');
    this.name = 'InventoryError';
  }
}

export class PlaybookError extends InputError {
  constructor(message: string, location?: SourceLocation) {
    super(message, location, 'FLEET_PLAYBOOK_INVALID');
    this.name = 'PlaybookError';
  }
}

/**
 * The host cannot be reached (or is no longer reachable). `kind` says why. Not a FleetError: it is
 * one host's outcome (recorded `unreachable`), never the whole command's.
 */
export class UnreachableError extends Error {
  readonly kind: UnreachableKind;
  readonly host: string;
  /**
   * For a connect timeout: whether the host had answered TCP. Then it was the SSH handshake that was
   * slow (the host or fleet overloaded), not a host that is down or filtered.
   */
  readonly tcpConnected: boolean;
  constructor(host: string, kind: UnreachableKind, message: string, detail: { readonly tcpConnected?: boolean } = {}) {
    super(message);
    this.name = 'UnreachableError';
    this.host = host;
    this.kind = kind;
    this.tcpConnected = detail.tcpConnected ?? false;
  }
}

/** User input quoted in a one-line message: line breaks are shown as \n, not broken. */
export function inputText(text: string): string {
  return text.replace(/\r\n|\r|\n|\u2028|\u2029/g, (c) => JSON.stringify(c).slice(1, -1));
}
