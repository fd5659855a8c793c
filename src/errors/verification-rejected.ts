import { MuxSwarmError } from './mux-swarm-error.js';

/**
 * Thrown inside verification when a peer's breakthrough is refused: the message is the reason recorded in the signed
 * verification ("unknown key: …", "bad signature: …", "outside allowed paths: …", "did not reproduce: …"), which
 * says what the peer must change for its next claim to be adopted.
 */
export class VerificationRejected extends MuxSwarmError {
  constructor(readonly reason: string) {
    super('verification_rejected', reason);
  }
}
