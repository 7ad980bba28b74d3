/**
 * Brute-force protection of sign-in and sign-up (always on). Each method throws `rate_limited`
 * (with the seconds to wait) when the caller must slow down.
 */
export interface AuthThrottle {
  /** Counts a sign-in attempt before the password is checked. */
  beforeLogin(email: string, clientIp: string): Promise<void>;
  /** The password was right: consecutive failures of this email from this address start again. */
  loginSucceeded(email: string, clientIp: string): Promise<void>;
  /** Counts a sign-up from this address. */
  beforeSignup(clientIp: string): Promise<void>;
}
