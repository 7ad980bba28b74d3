/** Authenticated encryption of small secrets at rest; `context` binds a sealed value to its owner record. */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** Throws when the value was tampered with, sealed for another context, or under another key. */
  open(sealed: string, context: string): string;
}
