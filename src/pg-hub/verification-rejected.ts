/**
 * Thrown inside verification when a breakthrough is refused: the message is the reason recorded in the signed
 * verification ("unknown key: …", "bad signature: …", "outside allowed paths: …", "did not reproduce: …").
 */
export class VerificationRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'VerificationRejected';
  }
}
