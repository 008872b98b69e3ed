/**
 * The parts of the VK API (version 5.199) the adapter uses, as VK sends and expects them:
 * Callback API / Bots Long Poll events and the parameters of `messages.send`.
 */

/** One event of the Callback API; Bots Long Poll delivers the same objects in `updates`. */
export interface VkEvent {
  type: string;
  /** Unique per event; VK repeats it when it redelivers the event. */
  event_id?: string;
  group_id: number;
  v?: string;
  object?: unknown;
  /** The community's secret key, sent with every Callback API event when one is set. */
  secret?: string;
}

export interface VkMessage {
  id: number;
  date: number;
  peer_id: number;
  from_id: number;
  text: string;
  conversation_message_id: number;
  attachments?: VkAttachment[];
  geo?: {
    type?: string;
    coordinates: { latitude: number; longitude: number };
    place?: { title?: string };
  };
  /** Set on an edited message: when it was edited. */
  update_time?: number;
}

export type VkAttachment =
  | { type: 'photo'; photo: { id: number; owner_id: number; sizes: VkPhotoSize[] } }
  | {
      type: 'doc';
      doc: { id: number; owner_id: number; title: string; size: number; ext: string; url: string };
    }
  | {
      type: 'audio_message';
      audio_message: {
        id: number;
        owner_id: number;
        duration: number;
        link_ogg: string;
        link_mp3?: string;
      };
    }
  | { type: 'sticker'; sticker: { sticker_id: number; product_id?: number } }
  | { type: string; [field: string]: unknown };

export interface VkPhotoSize {
  type: string;
  url: string;
  width: number;
  height: number;
}

/** A press of a callback button (`message_event`). */
export interface VkMessageEvent {
  user_id: number;
  peer_id: number;
  /** Id of the press, for messages.sendMessageEventAnswer. */
  event_id: string;
  payload?: unknown;
  conversation_message_id?: number;
}

/** Parameters of `messages.send` for one peer. */
export interface MessagesSendParams {
  peer_id: number;
  /** VK ignores a second send with the same random_id to the same peer. */
  random_id: number;
  message: string;
  keyboard?: string;
  /** Comma-separated `doc<owner>_<id>` references from the upload flow. */
  attachment?: string;
  reply_to?: number;
}

/** What every VK API method answers: a response or an error object. */
export type VkEnvelope<T> =
  | { response: T; error?: undefined }
  | { error: { error_code: number; error_msg: string }; response?: undefined };
