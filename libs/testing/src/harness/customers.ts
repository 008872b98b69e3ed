import { setTimeout as sleep } from 'node:timers/promises';
import { createTransport, type Transporter } from 'nodemailer';
import { chatMessageId } from '@firstline/telegram';
import { messageId as vkMessageId } from '@firstline/vk';
import type { FakeBotApi } from '../fakes/telegram-bot-api';
import { Slots } from './slots';

export type EntryPoint = 'webform' | 'telegram-webhook' | 'telegram-polling' | 'vk' | 'email';

/** Shares of the offered traffic, in this order: every channel's real entry point. */
export const TRAFFIC_MIX: Array<[EntryPoint, number]> = [
  ['webform', 0.25],
  ['telegram-webhook', 0.15],
  ['telegram-polling', 0.15],
  ['vk', 0.3],
  ['email', 0.15],
];

/** Where each channel takes customers' messages, as the harness configured it. */
export interface EntryPoints {
  webformUrl: string;
  telegramUrl: string;
  webhookBot: { name: string; token: string; secret: string };
  pollingBot: { name: string; token: string };
  telegramApi: FakeBotApi;
  vkUrl: string;
  vkGroup: { groupId: number; secret: string };
  smtp: { host: string; port: number };
  supportAddresses: string[];
  /** The web form the harness configured: name, phone and message. */
  formId: string;
}

export interface SentMessage {
  marker: string;
  entryPoint: EntryPoint;
  /** When the customer sent it (Date.now()). */
  sentAt: number;
  /** When its entry point acknowledged it, after any repeats. */
  acceptedAt: number;
  /** The inbound message id the channel derives, for matching pushes to sends. */
  messageId?: string;
}

/**
 * The customers of one run: each writes through one entry point, one message after another (a
 * person waits for the send to go through), and, like the platforms themselves, repeats a send
 * that was not acknowledged — with the same ids, so that the channel can recognise the repeat —
 * until it is. A message counts as accepted once its entry point acknowledged it.
 */
export class Customers {
  /** Accepted messages by marker. */
  readonly accepted = new Map<string, SentMessage>();
  /** Sends that failed and were repeated (entry point down, restarting, overloaded). */
  retries = 0;
  private readonly pending = new Map<number, Promise<void>>();
  private readonly customers = new Map<number, Customer>();
  private readonly mailer: Transporter;
  private sequence = 0;
  private refusal: unknown;
  /**
   * Sends in flight at once. While a service stalls (Postgres restarting), every waiting
   * customer would otherwise hold a connection open, thousands of them; the rest wait their turn.
   */
  private readonly connections = new Slots(256);

  constructor(
    /** Unique to this run; part of every marker, address and id. */
    private readonly run: string,
    private readonly entry: EntryPoints,
    private readonly customerCount: number,
  ) {
    this.mailer = createTransport({
      host: entry.smtp.host,
      port: entry.smtp.port,
      secure: false,
      pool: true,
      maxConnections: 8,
    });
  }

  /** Sends the run's next message, from the next customer in turn. */
  sendNext(): void {
    const sequence = ++this.sequence;
    const customerNumber = sequence % this.customerCount;
    const customer = this.customerOf(customerNumber);
    const previous = this.pending.get(customerNumber) ?? Promise.resolve();
    const sent = previous.then(() => this.send(customer, sequence));
    this.pending.set(customerNumber, sent);
    sent.catch((error: unknown) => (this.refusal ??= error));
  }

  /** Resolves once every message sent so far is accepted; fails when one was refused. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.pending.values());
    if (this.refusal) throw this.refusal;
  }

  async close(): Promise<void> {
    this.mailer.close();
  }

  /** Every email customer's address, whose mailboxes receive the replies. */
  emailAddresses(): string[] {
    return [...this.customers.values()]
      .filter((customer) => customer.entryPoint === 'email')
      .map((customer) => customer.address);
  }

  /** Every web-form conversation's status token. */
  statusTokens(): string[] {
    return [...this.customers.values()].flatMap((customer) =>
      customer.statusToken ? [customer.statusToken] : [],
    );
  }

  private customerOf(number: number): Customer {
    let customer = this.customers.get(number);
    if (!customer) {
      // Spread over the mix whatever the number of customers.
      const share = ((number * 37) % 100) / 100;
      let cumulative = 0;
      const entryPoint =
        TRAFFIC_MIX.find(([, weight]) => (cumulative += weight) > share)?.[0] ?? 'webform';
      customer = {
        number,
        entryPoint,
        // Telegram's and VK's user ids, unique to the run's customers.
        userId: 1_000_000 + number,
        address: `customer-${number}.${this.run}@customers.example`,
        messages: 0,
      };
      this.customers.set(number, customer);
    }
    return customer;
  }

  private async send(customer: Customer, sequence: number): Promise<void> {
    const marker = `pl${sequence}x${this.run}`;
    customer.messages += 1;
    const text = `Message ${customer.messages} from customer ${customer.number}: where is my order? ${marker}`;
    const sentAt = Date.now();
    const messageId = await this.untilAccepted(() => this.deliver(customer, sequence, text));
    this.accepted.set(marker, {
      marker,
      entryPoint: customer.entryPoint,
      sentAt,
      acceptedAt: Date.now(),
      messageId,
    });
  }

  /** Repeats a send until its entry point acknowledges it, as the platforms do. */
  private async untilAccepted(send: () => Promise<string | undefined>): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      await this.connections.acquire();
      try {
        const id = await send();
        if (id !== undefined) return id;
      } catch (error) {
        if (error instanceof Refused) throw error;
        // Connection refused or reset: the service is down or restarting.
      } finally {
        this.connections.release();
      }
      this.retries += 1;
      await sleep(Math.min(2_000, 100 * attempt));
    }
  }

  /** One attempt; the inbound message id when the entry point acknowledged it. */
  private async deliver(
    customer: Customer,
    sequence: number,
    text: string,
  ): Promise<string | undefined> {
    const date = Math.floor(Date.now() / 1000);
    switch (customer.entryPoint) {
      case 'webform':
        return this.submitForm(customer, sequence, text);
      case 'telegram-webhook': {
        const { name, secret } = this.entry.webhookBot;
        const response = await fetch(`${this.entry.telegramUrl}/telegram/${name}/webhook`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-telegram-bot-api-secret-token': secret,
          },
          body: JSON.stringify({
            update_id: sequence,
            message: {
              message_id: sequence,
              date,
              chat: { id: customer.userId, type: 'private', first_name: 'Customer' },
              from: { id: customer.userId, is_bot: false, first_name: 'Customer' },
              text,
            },
          }),
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        return response.status === 200 ? chatMessageId(name, customer.userId, sequence) : undefined;
      }
      case 'telegram-polling': {
        // Telegram holds the update until the adapter confirms it with a later offset.
        const { name, token } = this.entry.pollingBot;
        this.entry.telegramApi.customerWrites(token, customer.userId, {
          message_id: sequence,
          text,
        });
        return chatMessageId(name, customer.userId, sequence);
      }
      case 'vk': {
        const { groupId, secret } = this.entry.vkGroup;
        const response = await fetch(`${this.entry.vkUrl}/vk/${groupId}/callback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'message_new',
            event_id: `event-${sequence}-${this.run}`,
            v: '5.199',
            group_id: groupId,
            secret,
            object: {
              message: {
                id: sequence,
                date,
                peer_id: customer.userId,
                from_id: customer.userId,
                text,
                conversation_message_id: sequence,
                attachments: [],
              },
              client_info: { keyboard: true, inline_keyboard: true },
            },
          }),
          signal: AbortSignal.timeout(30_000),
        });
        const answer = await response.text();
        return response.status === 200 && answer === 'ok'
          ? vkMessageId(groupId, customer.userId, sequence)
          : undefined;
      }
      case 'email': {
        const id = `m${sequence}.${this.run}@customers.example`;
        const support =
          this.entry.supportAddresses[customer.number % this.entry.supportAddresses.length];
        await this.mailer.sendMail({
          from: customer.address,
          to: support,
          subject: `Order question from customer ${customer.number}`,
          text,
          messageId: `<${id}>`,
          // Later mails continue the customer's first thread, as a mail client's reply would.
          ...(customer.firstMailId
            ? { inReplyTo: `<${customer.firstMailId}>`, references: `<${customer.firstMailId}>` }
            : {}),
        });
        customer.firstMailId ??= id;
        return `email:${id}`;
      }
    }
  }

  private async submitForm(
    customer: Customer,
    sequence: number,
    text: string,
  ): Promise<string | undefined> {
    const path = customer.statusToken
      ? `/webform/status/${customer.statusToken}/messages`
      : `/webform/forms/${this.entry.formId}/submissions`;
    const fields = customer.statusToken
      ? { text }
      : { name: `Customer ${customer.number}`, phone: `+1555${customer.userId}`, message: text };
    const response = await fetch(`${this.entry.webformUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'idempotency-key': `submission-${sequence}-${this.run}`,
      },
      body: JSON.stringify(fields),
      signal: AbortSignal.timeout(30_000),
    });
    const answer = (await response.json().catch(() => ({}))) as {
      statusToken?: string;
      messageId?: string;
    };
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      throw new Refused(`${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    }
    if (response.status < 200 || response.status > 299) return undefined;
    customer.statusToken ??= answer.statusToken;
    return answer.messageId ?? '';
  }
}

interface Customer {
  number: number;
  entryPoint: EntryPoint;
  userId: number;
  address: string;
  messages: number;
  firstMailId?: string;
  statusToken?: string;
}

/** An entry point refused the message itself: a fault of the harness, never repeated. */
class Refused extends Error {}
