/**
 * The parts of the VK API (version 5.199) the adapter uses, as VK sends and expects them:
 * Callback API / Bots Long Poll events and the parameters of `messages.send`.
 */

/** One event of the Callback API; Bots Long Poll delivers the same objects in `updates`. */
export interface VkEvent {
  type: string;
  /** Unique per event; VK repeats it when it redelivers the event. */
  event_id?: string;
  /** Absent from some long-poll events; the community they came to is known from the context. */
  group_id?: number;
  v?: string;
  object?: unknown;
  /** The community's secret key, sent with every Callback API event when one is set. */
  secret?: string;
}

/**
 * A message as VK sends it. Fields are optional where VK omits them (forwarded messages carry no
 * peer_id or conversation_message_id, old events no conversation_message_id): normalise() checks.
 */
export interface VkMessage {
  id?: number;
  date?: number;
  peer_id?: number;
  from_id?: number;
  text?: string;
  conversation_message_id?: number;
  /** 1 for a message the community sent. */
  out?: number;
  attachments?: VkAttachment[];
  geo?: {
    type?: string;
    /** An object since 5.x; older events give "latitude longitude" as one string. */
    coordinates?: { latitude: number; longitude: number } | string;
    place?: { title?: string };
  };
  /** Forwarded messages, each of which may forward more. */
  fwd_messages?: VkMessage[];
  /** The message this one answers (the customer pressed "Reply"). */
  reply_message?: VkMessage;
  /** A keyboard button's payload, when the message is a press of a text button. */
  payload?: string;
  /** A service action in a group chat (someone joined, a message was pinned). */
  action?: { type: string };
  /** Set on an edited message: when it was edited. */
  update_time?: number;
}

/** One attachment: `type` names the property that holds it (`{ type: 'photo', photo: {...} }`). */
export interface VkAttachment {
  type: string;
  [kind: string]: unknown;
}

export interface VkPhoto {
  id: number;
  owner_id: number;
  /** Empty for a photo VK no longer serves (deleted, or hidden in a wall post). */
  sizes?: VkPhotoSize[];
}

export interface VkPhotoSize {
  type: string;
  url?: string;
  width: number;
  height: number;
}

export interface VkDoc {
  id: number;
  owner_id: number;
  title?: string;
  size?: number;
  ext?: string;
  url?: string;
}

export interface VkAudioMessage {
  id: number;
  owner_id: number;
  duration?: number;
  link_ogg?: string;
  link_mp3?: string;
  /** VK's speech recognition of the voice message, when it has finished (`transcript_state: done`). */
  transcript?: string;
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
  /** Comma-separated `photo<owner>_<id>` and `doc<owner>_<id>` references from the upload flows. */
  attachment?: string;
  reply_to?: number;
}

/** What photos.getMessagesUploadServer and docs.getMessagesUploadServer answer. */
export interface UploadServer {
  upload_url: string;
}

/** What the photo upload server answers: `photo` is "[]" when it took no photo. */
export interface PhotoUploadAnswer {
  server?: number;
  photo?: string;
  hash?: string;
  error?: string;
}

/** One saved photo of photos.saveMessagesPhoto, or the `doc` of docs.save. */
export interface SavedMedia {
  id: number;
  owner_id: number;
  access_key?: string;
}

/** What every VK API method answers: a response or an error object. */
export type VkEnvelope<T> =
  | { response: T; error?: undefined }
  | { error: { error_code: number; error_msg: string }; response?: undefined };
