export { ROLES, GRAPHQL_POLICY, HTTP_POLICY, allows, isRole, type Access, type Role } from './policy';
export type { Principal } from './principal';
export {
  TokenVerifier,
  AuthenticationError,
  ALLOWED_ALGORITHMS,
  CLOCK_TOLERANCE_SECONDS,
  KEY_FILE_CHECK_MS,
  DEFAULT_CLAIM_NAMES,
  type ClaimNames,
  type KeyFile,
  type TokenVerifierOptions,
} from './token-verifier';
export { LocalIssuer, LOCAL_ISSUER_FILE } from './local-issuer';
export { jose } from './jose-runtime';
export { policyMarkdown } from './policy-table';
