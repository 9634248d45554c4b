import { ID_PATTERN } from '@ledger/domain';

/** The domain's id rule, for class-validator's @Matches at the edge. */
export const ID = new RegExp(ID_PATTERN);
export const ID_RULE = {
  message: '$property must be 1-128 letters, digits or . _ : - and start with a letter or digit',
};
export const SHA256_RULE = { message: '$property must be 64 lower-case hex digits (a SHA-256 digest)' };
export const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;
export const ISO_DURATION_RULE = { message: '$property must be an ISO 8601 duration such as P7D or PT12H' };
