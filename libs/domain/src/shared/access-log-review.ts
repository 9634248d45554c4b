import { Type } from '@sinclair/typebox';
import type { AccessLogReviewFields } from '../ai-system/commands';
import { ACCESS_REVIEW_OUTCOMES } from '../ai-system/vocabulary';
import { DomainError } from './domain-error';
import { Instant, Principal, StringEnum, Text } from './schema';
import { parseInstant } from './time';

/**
 * A review of access logs (HIPAA §164.308(a)(1)(ii)(D), information system
 * activity review), recorded on the stream of what was reviewed: a system or
 * a dataset. Both aggregates record it with these fields and these rules.
 */
export const accessLogReviewFields = {
  periodFrom: Instant('the start of the period whose access logs were reviewed'),
  periodTo: Instant(
    'the end of the period reviewed; logs up to here count as reviewed, and the next review falls due a cadence later',
  ),
  outcome: StringEnum(ACCESS_REVIEW_OUTCOMES, 'what the review concluded'),
  note: Text('what was looked at and found'),
  reviewer: Principal('who reviewed; always the person recording the review'),
  reviewedAt: Instant("when the review was recorded, by the ledger's clock; never supplied"),
};

/** Whole days; a cadence in hours would ask for a review no organisation performs. */
export const ReviewEveryDays = (description: string) =>
  Type.Integer({ minimum: 1, maximum: 3660, description: `${description} (whole days, 1 to 3660)` });

/**
 * The review's data, once its period is one that can have been reviewed: it
 * ends after it starts, and not after the review, since logs not yet written
 * cannot have been read. The reviewer and the time come from the command's
 * metadata, so a review cannot be backdated or credited to someone else.
 */
export function accessLogReview(cmd: AccessLogReviewFields & { meta: { actor: string; at: string } }): {
  periodFrom: string;
  periodTo: string;
  outcome: AccessLogReviewFields['outcome'];
  note: string;
  reviewer: string;
  reviewedAt: string;
} {
  const from = parseInstant(cmd.periodFrom, 'periodFrom');
  const to = parseInstant(cmd.periodTo, 'periodTo');
  if (to <= from)
    throw new DomainError(
      'VALIDATION_FAILED',
      `periodTo must be after periodFrom (${cmd.periodFrom}); a review covers a period of some length`,
      'periodTo',
    );
  if (to > parseInstant(cmd.meta.at, 'meta.at'))
    throw new DomainError(
      'VALIDATION_FAILED',
      `periodTo must not be after the review (${cmd.meta.at}): logs not yet written cannot have been reviewed`,
      'periodTo',
    );
  return {
    periodFrom: cmd.periodFrom,
    periodTo: cmd.periodTo,
    outcome: cmd.outcome,
    note: cmd.note,
    reviewer: cmd.meta.actor,
    reviewedAt: cmd.meta.at,
  };
}
