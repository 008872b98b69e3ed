import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  FOLLOW_UP_MAX_LENGTH,
  LOCALES,
  RATING_COMMENT_MAX_LENGTH,
  type Locale,
} from '@firstline/webform';

// The bodies the public API reads (http/body.ts reads them itself: JSON, form-encoded or
// multipart, every value a string), as the OpenAPI document describes them.

/** What any post of a customer may carry besides its own fields. */
class CustomerPost {
  @ApiPropertyOptional({
    enum: LOCALES,
    enumName: 'Locale',
    description:
      'The language the answer and any refusal come in (else `?locale=`, Accept-Language)',
  })
  locale?: Locale;

  @ApiPropertyOptional({
    pattern: '^[A-Za-z0-9_-]{8,100}$',
    description: 'For plain HTML forms, which cannot send the `Idempotency-Key` header',
  })
  idempotency_key?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'binary' },
    description: 'Files, in a multipart/form-data post only',
  })
  attachments?: Blob[];
}

/** A form's submission: these, and the form's own fields by name (see `FormView.fields`). */
export class SubmissionPost extends CustomerPost {
  @ApiPropertyOptional({
    description: 'The honeypot: people never fill it in; a post with it filled is refused',
  })
  website?: string;
}

/** A message the customer adds on the status page: text, files, or both. */
export class FollowUpPost extends CustomerPost {
  @ApiPropertyOptional({ maxLength: FOLLOW_UP_MAX_LENGTH }) text?: string;
}

/** The rating page's form. */
export class RatingPost {
  @ApiProperty({ minimum: 1, maximum: 5 }) score!: number;
  @ApiPropertyOptional({ maxLength: RATING_COMMENT_MAX_LENGTH }) comment?: string;
  @ApiPropertyOptional() idempotency_key?: string;
}
