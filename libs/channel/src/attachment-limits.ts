import { Channel } from '@firstline/contracts';

/** What one message can carry in a channel, from the platform's documentation. */
export interface AttachmentLimits {
  /** Files per message; 0 where the channel carries none. */
  maxFiles: number;
  /** Bytes per file. */
  maxFileBytes: number;
  /** Bytes per picture sent as a photo (Telegram and VK compress them), when lower. */
  maxPhotoBytes?: number;
  /** Bytes of every file together, where the message travels whole (email). */
  maxTotalBytes?: number;
}

const MB = 1024 * 1024;

/**
 * Per channel. Email: 25 MB a message is what the large providers accept (Gmail, Outlook,
 * Yandex), counted here before base64. Telegram Bot API: sendDocument up to 50 MB, sendPhoto up
 * to 10 MB, up to 10 in a media group. VK: docs up to 200 MB, message photos up to 50 MB, 10
 * attachments a message. OK Bot API: 5 attachments a message (docs/adr/0018); it states no size,
 * so VK's, its sibling's, stand. The web-form status page is ours: the size of the form's own
 * uploads times five. Live chat is ours as well, and anyone on the site may upload to it: 5 files a
 * message, 10 MB each, either way (screenshots and documents are far smaller).
 */
export const ATTACHMENT_LIMITS: Readonly<Record<Channel, AttachmentLimits>> = {
  [Channel.UNSPECIFIED]: { maxFiles: 0, maxFileBytes: 0 },
  [Channel.EMAIL]: { maxFiles: 50, maxFileBytes: 25 * MB, maxTotalBytes: 25 * MB },
  [Channel.TELEGRAM]: { maxFiles: 10, maxFileBytes: 50 * MB, maxPhotoBytes: 10 * MB },
  [Channel.VK]: { maxFiles: 10, maxFileBytes: 200 * MB, maxPhotoBytes: 50 * MB },
  [Channel.OK]: { maxFiles: 5, maxFileBytes: 200 * MB, maxPhotoBytes: 50 * MB },
  [Channel.WEBFORM]: { maxFiles: 10, maxFileBytes: 25 * MB },
  [Channel.CHAT]: { maxFiles: 5, maxFileBytes: 10 * MB },
};

/** The largest file any channel takes: what an upload may be before its channel is known. */
export const LARGEST_ATTACHMENT_BYTES = Math.max(
  ...Object.values(ATTACHMENT_LIMITS).map((limits) => limits.maxFileBytes),
);

export interface OutgoingFile {
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

/** Pictures the platforms send as photos rather than documents. */
export function isPhoto(contentType: string): boolean {
  return /^image\/(jpeg|png|gif|webp)$/.test(contentType);
}

/**
 * Why `files` cannot go in one message through `channel`, in a sentence for the agent; undefined
 * when they can. Checked before a reply is accepted, so nothing is sent that the platform refuses.
 */
export function attachmentProblem(
  channel: Channel,
  files: readonly OutgoingFile[],
): string | undefined {
  if (files.length === 0) return undefined;
  const limits = ATTACHMENT_LIMITS[channel];
  const name = CHANNEL_NAMES[channel];
  if (limits.maxFiles === 0) return `${name} cannot carry files.`;
  if (files.length > limits.maxFiles) {
    return `${name} carries at most ${limits.maxFiles} files a message; this reply has ${files.length}.`;
  }
  for (const file of files) {
    const photoLimit = isPhoto(file.contentType) ? limits.maxPhotoBytes : undefined;
    const limit = Math.min(limits.maxFileBytes, photoLimit ?? Infinity);
    if (file.sizeBytes > limit) {
      const kind = photoLimit && photoLimit < limits.maxFileBytes ? 'a picture' : 'a file';
      return `${file.fileName} is ${megabytes(file.sizeBytes)}; ${name} takes ${kind} of at most ${megabytes(limit)}.`;
    }
  }
  const total = files.reduce((sum, file) => sum + file.sizeBytes, 0);
  if (limits.maxTotalBytes && total > limits.maxTotalBytes) {
    return `The files come to ${megabytes(total)}; ${name} takes at most ${megabytes(limits.maxTotalBytes)} a message.`;
  }
  return undefined;
}

/**
 * Why an upload cut off at the channel's file size cannot go, in a sentence for whoever sent it:
 * its real size is unknown (the rest was never read), only that it is over the limit.
 */
export function oversizeProblem(channel: Channel, fileName: string): string {
  const limit = ATTACHMENT_LIMITS[channel].maxFileBytes;
  return `${fileName} is larger than ${megabytes(limit)}, the most ${CHANNEL_NAMES[channel]} takes for a file.`;
}

const CHANNEL_NAMES: Record<Channel, string> = {
  [Channel.UNSPECIFIED]: 'This channel',
  [Channel.EMAIL]: 'Email',
  [Channel.TELEGRAM]: 'Telegram',
  [Channel.VK]: 'VK',
  [Channel.OK]: 'OK',
  [Channel.WEBFORM]: 'The web form',
  [Channel.CHAT]: 'Live chat',
};

function megabytes(bytes: number): string {
  return `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`;
}
