import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  FIELD_TYPES,
  LOCALES,
  STAGES,
  type FieldType,
  type Locale,
  type Stage,
} from '@firstline/webform';

// What the public API answers, as classes the OpenAPI document is built from
// (services/channel-webform/openapi.json): each is the return type of the code that answers, so
// the compiler holds the answers to the documented schemas, and the widget's types are generated
// from the document (services/channel-webform/web/webform-api.ts).

export class FormSummary {
  @ApiProperty({ example: 'contact' }) id!: string;
  @ApiProperty({ description: "The form's title in the asked locale", example: 'Contact us' })
  title!: string;
}

export class FormOption {
  @ApiProperty({ description: 'What is posted', example: 'billing' }) value!: string;
  @ApiProperty({ description: 'What the customer reads' }) label!: string;
}

export class FormFieldView {
  @ApiProperty({
    description:
      'The key it is posted under; a callback window posts `<name>_from` and `<name>_to`',
    example: 'email',
  })
  name!: string;

  @ApiProperty({ enum: FIELD_TYPES, enumName: 'FieldType' }) type!: FieldType;
  @ApiProperty() label!: string;
  @ApiProperty() required!: boolean;
  @ApiProperty({ description: 'Longest accepted value, in characters' }) maxLength!: number;
  @ApiPropertyOptional({ type: [FormOption], description: 'The choices of a `topic` field' })
  options?: FormOption[];
}

/** A form as the widget renders it: in one locale, without what only Firstline needs. */
export class FormView {
  @ApiProperty({ example: 'contact' }) id!: string;
  @ApiProperty({ enum: LOCALES, enumName: 'Locale' }) locale!: Locale;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'Shown under the title; empty when the form has none' })
  intro!: string;

  @ApiProperty({ description: 'Whether files may be attached (multipart field `attachments`)' })
  attachments!: boolean;

  @ApiProperty({ type: [FormFieldView] }) fields!: FormFieldView[];
}

/** The answer to a post a script sent: where the customer follows the request. */
export class PostAccepted {
  @ApiProperty({ description: 'The inbound message id: `webform:<idempotency key>`' })
  messageId!: string;

  @ApiProperty({ description: 'The only key to the request: keep it secret' })
  statusToken!: string;

  @ApiProperty({ description: "The customer's status page" }) statusUrl!: string;
  @ApiProperty({ description: "The status page's data (GET)" }) statusApiUrl!: string;
}

export class StatusFile {
  @ApiProperty() fileName!: string;
  @ApiProperty({ description: 'Where the customer downloads it' }) url!: string;
}

/** One line of the conversation as the customer sees it; internal notes never reach this channel. */
export class StatusMessage {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['customer', 'support'] }) from!: 'customer' | 'support';
  @ApiProperty({ description: "The customer's name, or the sender's on the support side" })
  author!: string;

  @ApiProperty() text!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'Sent by Firstline itself (the acknowledgement, the survey)' })
  automatic!: boolean;

  @ApiProperty({ type: [StatusFile] }) attachments!: StatusFile[];
}

export class TimeWindow {
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
}

/** What the status page shows. */
export class StatusView {
  @ApiProperty({ type: String, nullable: true, description: 'Null until the router decided' })
  ticketNumber!: string | null;

  @ApiProperty({ enum: STAGES, enumName: 'Stage' }) stage!: Stage;
  @ApiProperty({ description: 'The stage in words, in the asked locale' }) stageLabel!: string;
  @ApiProperty({ type: String, nullable: true }) agentFirstName!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When an answer is promised; null once an agent answered',
  })
  expectedAnswerAt!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'While the customer waits: their place in line and how long is left',
    example: 'You are 3rd in line. We expect to answer in about 7 minutes.',
  })
  answerTime!: string | null;

  @ApiProperty({ format: 'date-time' }) lastUpdateAt!: string;
  @ApiProperty({ type: TimeWindow, nullable: true }) callbackWindow!: TimeWindow | null;
  @ApiProperty() subject!: string;
  @ApiProperty({ type: [StatusMessage] }) messages!: StatusMessage[];
}
