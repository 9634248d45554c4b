import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ProblemError } from './problem';

interface FieldRule {
  field: string;
  rule: string;
  message: string;
}

function flatten(errors: ValidationError[], prefix = ''): FieldRule[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return own.concat(flatten(e.children ?? [], field));
  });
}

/** class-validator at the edge: every failing field and rule, reported as VALIDATION_FAILED. */
export function inputValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const problems = flatten(errors);
      const first = problems[0];
      return new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field: first?.field,
        message: problems.map((p) => `${p.field}: ${p.message}`).join('; ') || 'the input is invalid',
        details: { problems },
      });
    },
  });
}
