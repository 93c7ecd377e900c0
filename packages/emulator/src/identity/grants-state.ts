import { randomInt } from 'node:crypto';
import { hashSecret, newSecret } from '../ids.js';

/** An authorization code waiting to be redeemed. */
export interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256' | 'plain';
  scope: string;
  username: string;
  expiresAt: number;
}

/** A device code and the user code shown for it. */
export interface DeviceAuthorization {
  deviceCodeHash: string;
  userCode: string;
  clientId: string;
  scope: string;
  state: 'pending' | 'approved' | 'declined' | 'redeemed';
  username: string | undefined;
  expiresAt: number;
  /** Seconds the client must wait between polls; raised by 5 on each `slow_down`. */
  intervalSeconds: number;
  lastPollAt: number | undefined;
}

/** Codes live about 10 minutes, as the identity platform's do. */
export const AUTHORIZATION_CODE_LIFETIME_MS = 10 * 60 * 1000;

/** Letters without look-alikes (no I, O), as user codes are typed by hand. */
const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * Short-lived sign-in state: authorization codes and device codes. It lives
 * in memory, so a restart cancels sign-ins in progress (tokens themselves
 * are in the store).
 */
export class GrantState {
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly devices = new Map<string, DeviceAuthorization>();

  /** Issues a one-use authorization code; only its hash is kept. */
  issueCode(fields: Omit<AuthorizationCode, 'expiresAt'>, nowMs = Date.now()): string {
    this.sweep(nowMs);
    const code = newSecret();
    this.codes.set(hashSecret(code), {
      ...fields,
      expiresAt: nowMs + AUTHORIZATION_CODE_LIFETIME_MS,
    });
    return code;
  }

  /** Removes and returns the code: a second redemption finds nothing. */
  redeemCode(code: string): AuthorizationCode | undefined {
    const key = hashSecret(code);
    const entry = this.codes.get(key);
    this.codes.delete(key);
    return entry;
  }

  issueDeviceCode(
    fields: { clientId: string; scope: string; lifetimeMs: number; intervalSeconds: number },
    nowMs = Date.now(),
  ): { deviceCode: string; entry: DeviceAuthorization } {
    this.sweep(nowMs);
    const deviceCode = newSecret();
    const entry: DeviceAuthorization = {
      deviceCodeHash: hashSecret(deviceCode),
      userCode: this.newUserCode(),
      clientId: fields.clientId,
      scope: fields.scope,
      state: 'pending',
      username: undefined,
      expiresAt: nowMs + fields.lifetimeMs,
      intervalSeconds: fields.intervalSeconds,
      lastPollAt: undefined,
    };
    this.devices.set(entry.deviceCodeHash, entry);
    return { deviceCode, entry };
  }

  findDevice(deviceCode: string): DeviceAuthorization | undefined {
    return this.devices.get(hashSecret(deviceCode));
  }

  /** Finds a device sign-in by the code the user typed; case and dashes do not matter. */
  findByUserCode(userCode: string): DeviceAuthorization | undefined {
    const wanted = normalizeUserCode(userCode);
    for (const entry of this.devices.values()) {
      if (entry.userCode === wanted) {
        return entry;
      }
    }
    return undefined;
  }

  private newUserCode(): string {
    for (;;) {
      let code = '';
      for (let i = 0; i < 8; i += 1) {
        code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
      }
      if (!this.findByUserCode(code)) {
        return code;
      }
    }
  }

  private sweep(nowMs: number): void {
    for (const [key, entry] of this.codes) {
      if (entry.expiresAt <= nowMs) {
        this.codes.delete(key);
      }
    }
    // Expired device codes stay an hour longer, so polling clients get expired_token, not an unknown code.
    for (const [key, entry] of this.devices) {
      if (entry.expiresAt + 60 * 60 * 1000 <= nowMs) {
        this.devices.delete(key);
      }
    }
  }
}

export function normalizeUserCode(value: string): string {
  return value.replace(/[\s-]/g, '').toUpperCase();
}
