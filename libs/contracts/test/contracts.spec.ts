import {
  ActorKind,
  Channel,
  create,
  decode,
  DeliveryReceiptSchema,
  DeliveryStatus,
  DirectoryKind,
  directoryKey,
  DirectoryRecordSchema,
  encode,
  IdentityKind,
  InboundMessageSchema,
  messageType,
  OutboundMessageSchema,
  outboundTopic,
  parseDirectoryKey,
  Presence,
  Priority,
  RoutingDecisionSchema,
  RuleField,
  RuleOperator,
  SCHEMA_VERSION,
  TicketDisposition,
  TicketEventSchema,
  TicketEventType,
  TicketStatus,
  timestampFromMs,
  TOPICS,
  Weekday,
  type DescMessage,
  type MessageShape,
} from '@firstline/contracts';

const receivedAt = timestampFromMs(Date.UTC(2025, 2, 3, 9, 15));

const inbound = create(InboundMessageSchema, {
  messageId: 'email:<abc@mail.example.com>',
  channel: Channel.EMAIL,
  sender: { kind: IdentityKind.EMAIL, value: 'ann@example.com', displayName: 'Ann Smith' },
  conversationKey: 'email:<root@mail.example.com>',
  subject: 'Re: [#10234] Invoice is wrong',
  textBody: 'The invoice shows 12 seats, we have 10.',
  htmlBody: '<p>The invoice shows 12 seats, we have 10.</p><img src="cid:scan1">',
  attachments: [
    {
      storageKey: 'attachments/2025/03/scan.png',
      fileName: 'scan.png',
      contentType: 'image/png',
      sizeBytes: 48_213,
      contentId: 'scan1',
    },
  ],
  channelMetadata: { to: 'support@firstline.example', in_reply_to: '<x@firstline.example>' },
  autoResponse: false,
  receivedAt,
  sentAt: timestampFromMs(Date.UTC(2025, 2, 3, 9, 14)),
  inReplyToTicketNumber: '10234',
  formFields: {},
});

function roundTrip<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>) {
  return decode(schema, encode(schema, message));
}

describe('wire encoding', () => {
  it('an inbound message survives encode and decode, optional hints included', () => {
    const decoded = roundTrip(InboundMessageSchema, inbound);
    expect(decoded).toEqual(inbound);
    expect(decoded.inReplyToTicketNumber).toBe('10234');
    expect(decoded.editOfMessageId).toBeUndefined();
  });

  it('a web form edit keeps its topic, fields and the id of the message it edits', () => {
    const edit = create(InboundMessageSchema, {
      messageId: 'webform:sub-42:edit:1',
      channel: Channel.WEBFORM,
      sender: { kind: IdentityKind.WEBFORM_EMAIL, value: 'bob@example.org' },
      conversationKey: 'webform:sub-42',
      formTopic: 'billing',
      formFields: { order: 'A-991', plan: 'team' },
      editOfMessageId: 'webform:sub-42',
      receivedAt,
    });
    expect(roundTrip(InboundMessageSchema, edit)).toEqual(edit);
  });

  it('a routing decision carries the inbound message it decided on', () => {
    const decision = create(RoutingDecisionSchema, {
      decisionId: 'route:email:<abc@mail.example.com>',
      inboundMessageId: inbound.messageId,
      customerId: 'cus_1',
      conversationKey: inbound.conversationKey,
      ticketId: 'tkt_2',
      disposition: TicketDisposition.FOLLOW_UP,
      previousTicketId: 'tkt_1',
      teamId: 'billing',
      skillIds: ['invoices'],
      priority: Priority.HIGH,
      firstResponseDueAt: timestampFromMs(Date.UTC(2025, 2, 3, 11, 15)),
      resolutionDueAt: timestampFromMs(Date.UTC(2025, 2, 5, 9, 15)),
      slaPolicyId: 'billing-high',
      matchedRuleId: 'invoices',
      ruleSetVersion: 7,
      tags: ['invoice'],
      language: 'en',
      decidedAt: receivedAt,
      message: inbound,
    });
    const decoded = roundTrip(RoutingDecisionSchema, decision);
    expect(decoded).toEqual(decision);
    expect(decoded.assignedAgentId).toBeUndefined();
  });

  it('a ticket event keeps its details', () => {
    const event = create(TicketEventSchema, {
      eventId: 'evt_1',
      ticketId: 'tkt_2',
      ticketNumber: '10235',
      type: TicketEventType.STATUS_CHANGED,
      actor: { kind: ActorKind.AGENT, id: 'agt_7' },
      occurredAt: receivedAt,
      details: {
        case: 'statusChanged',
        value: { fromStatus: TicketStatus.OPEN, toStatus: TicketStatus.RESOLVED },
      },
    });
    const decoded = roundTrip(TicketEventSchema, event);
    expect(decoded).toEqual(event);
    expect(decoded.details.case).toBe('statusChanged');
  });

  it('an outbound message keeps its thread references and automatic flags', () => {
    const outbound = create(OutboundMessageSchema, {
      outboundId: 'out_1',
      ticketId: 'tkt_2',
      ticketNumber: '10235',
      channel: Channel.TELEGRAM,
      recipient: { kind: IdentityKind.TELEGRAM_USER, value: '123456789' },
      conversationKey: 'telegram:firstline_bot:123456789',
      textBody: 'How did we do? Reply 1-5.',
      threadRefs: { chat_id: '123456789', reply_to_message_id: '88' },
      automatic: true,
      csatSurvey: true,
      senderDisplayName: 'Firstline Support',
      createdAt: receivedAt,
    });
    expect(roundTrip(OutboundMessageSchema, outbound)).toEqual(outbound);
  });

  it('a delivery receipt keeps its status and reason', () => {
    const receipt = create(DeliveryReceiptSchema, {
      receiptId: 'out_1:FAILED:1',
      outboundId: 'out_1',
      ticketId: 'tkt_2',
      channel: Channel.TELEGRAM,
      status: DeliveryStatus.FAILED,
      reason: 'bot was blocked by the user',
      occurredAt: receivedAt,
      retryable: false,
    });
    expect(roundTrip(DeliveryReceiptSchema, receipt)).toEqual(receipt);
  });

  it('directory records keep every kind of payload', () => {
    const records = [
      create(DirectoryRecordSchema, {
        kind: DirectoryKind.AGENT,
        id: 'agt_7',
        version: 3,
        updatedAt: receivedAt,
        payload: {
          case: 'agent',
          value: {
            id: 'agt_7',
            name: 'Carla Diaz',
            email: 'carla@firstline.example',
            teamIds: ['billing'],
            skills: [{ skillId: 'invoices', level: 4 }],
            capacity: [{ channel: Channel.EMAIL, maxConcurrent: 8 }],
            presence: Presence.ONLINE,
            languages: ['en', 'es'],
            active: true,
          },
        },
      }),
      create(DirectoryRecordSchema, {
        kind: DirectoryKind.CALENDAR,
        id: 'night-desk',
        version: 1,
        payload: {
          case: 'calendar',
          value: {
            id: 'night-desk',
            timeZone: 'Europe/Berlin',
            weeklyHours: [{ weekday: Weekday.FRIDAY, openMinute: 22 * 60, closeMinute: 30 * 60 }],
            holidays: [{ date: '2025-12-25', name: 'Christmas' }],
            specialWorkingDays: [{ date: '2025-12-27', openMinute: 600, closeMinute: 840 }],
          },
        },
      }),
      create(DirectoryRecordSchema, {
        kind: DirectoryKind.RULE_SET,
        id: 'default',
        version: 7,
        payload: {
          case: 'ruleSet',
          value: {
            version: 7,
            rules: [
              {
                id: 'invoices',
                conditions: [
                  {
                    field: RuleField.TEXT,
                    operator: RuleOperator.CONTAINS_ANY,
                    values: ['invoice', 'refund'],
                  },
                ],
                actions: { teamId: 'billing', skillIds: ['invoices'], priority: Priority.HIGH },
              },
            ],
            fallback: { teamId: 'first-line' },
          },
        },
      }),
    ];
    for (const record of records) {
      expect(roundTrip(DirectoryRecordSchema, record)).toEqual(record);
    }
  });

  it('bytes that are not protobuf are rejected', () => {
    // "not protobuf": its first byte announces wire type 6, which does not exist.
    expect(() => decode(InboundMessageSchema, new TextEncoder().encode('not protobuf'))).toThrow();
    // A length-delimited field claiming more bytes than there are.
    expect(() => decode(InboundMessageSchema, Uint8Array.of(0x0a, 0x10, 0x41))).toThrow();
  });

  it('names the type header after the fully qualified protobuf type', () => {
    expect(messageType(InboundMessageSchema)).toBe('firstline.v1.InboundMessage');
    expect(messageType(DirectoryRecordSchema)).toBe('firstline.v1.DirectoryRecord');
    expect(SCHEMA_VERSION).toBe(1);
  });
});

describe('topic catalogue', () => {
  const topics = Object.values(TOPICS);

  it('versions every topic name and uses each name once', () => {
    for (const topic of topics) expect(topic.name).toMatch(/^support\.[a-z.-]+\.v1$/);
    expect(new Set(topics.map((topic) => topic.name)).size).toBe(topics.length);
  });

  it('has an outbound topic for every channel, named after it', () => {
    const channels = Object.values(Channel).filter(
      (value): value is Channel => typeof value === 'number' && value !== Channel.UNSPECIFIED,
    );
    expect(channels.length).toBeGreaterThan(0);
    for (const channel of channels) {
      const topic = outboundTopic(channel);
      expect(topic.name).toBe(`support.outbound.${Channel[channel].toLowerCase()}.v1`);
      expect(topic.schema).toBe(OutboundMessageSchema);
    }
    expect(() => outboundTopic(Channel.UNSPECIFIED)).toThrow();
  });

  it('keys inbound and outbound by conversation, routing and ticket events by ticket', () => {
    expect(TOPICS.inbound.key(inbound)).toBe(inbound.conversationKey);
    const outbound = create(OutboundMessageSchema, { conversationKey: 'vk:club1:42' });
    expect(outboundTopic(Channel.VK).key(outbound)).toBe('vk:club1:42');
    expect(TOPICS.routing.key(create(RoutingDecisionSchema, { ticketId: 'tkt_2' }))).toBe('tkt_2');
    expect(TOPICS.ticketEvents.key(create(TicketEventSchema, { ticketId: 'tkt_2' }))).toBe('tkt_2');
    expect(
      TOPICS.deliveryReceipts.key(create(DeliveryReceiptSchema, { outboundId: 'out_1' })),
    ).toBe('out_1');
  });

  it('keys the compacted directory by kind and id, and reads such keys back for tombstones', () => {
    expect(TOPICS.directory.compacted).toBe(true);
    const record = create(DirectoryRecordSchema, { kind: DirectoryKind.SLA_POLICY, id: 'vip:1' });
    expect(TOPICS.directory.key(record)).toBe('sla_policy:vip:1');
    expect(parseDirectoryKey('sla_policy:vip:1')).toEqual({
      kind: DirectoryKind.SLA_POLICY,
      id: 'vip:1',
    });
    expect(directoryKey(DirectoryKind.CANNED_REPLY, 'refund')).toBe('canned_reply:refund');
    for (const bad of ['team', 'unspecified:x', '1:x', 'nope:x', ':x']) {
      expect(() => parseDirectoryKey(bad)).toThrow();
    }
  });

  it('compacts only the directory', () => {
    expect(topics.filter((topic) => topic.compacted).map((topic) => topic.name)).toEqual([
      'support.directory.v1',
    ]);
  });
});
