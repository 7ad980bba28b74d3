/** Slow, salted password hashing. The hash string carries its own parameters and salt. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time comparison; false (never a throw) for a malformed stored hash. */
  verify(password: string, stored: string): Promise<boolean>;
}
