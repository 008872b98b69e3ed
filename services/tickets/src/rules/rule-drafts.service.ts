import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import { RuleSetSchema, type RuleSet as RuleSetMessage } from '@firstline/contracts';
import { OutboxRelay } from '@firstline/persistence';
import { DEFAULT_RULE_SET, RuleSetReplay, ruleSetProblem, type RuleSet } from '@firstline/routing';
import { DirectoryRepository } from '../database/directory.repository';
import { DirectoryService } from '../directory/directory.service';
import {
  PREVIEW_DAYS,
  PREVIEW_EXAMPLES,
  type PublishedRuleSetView,
  type RulePreviewView,
  type RuleSetDraftView,
} from './rule-drafts.dto';
import {
  RuleDraftsRepository,
  type ReplayCursor,
  type RuleSetDraft,
} from './rule-drafts.repository';

/** There is one rule set (directory.proto's RuleSet), and so one draft of it. */
export const RULE_SET_ID = 'default';

/** Messages read per query while replaying: a page is one index range, small in memory. */
const REPLAY_PAGE = 2_000;

/**
 * The most messages one preview replays, newest first: weeks of a busy line, and a bound on how
 * long an admin waits (docs/benchmarks.md: 100,000 took 5–11 s on a loaded 2-core machine).
 */
export const MAX_REPLAYED = 200_000;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Drafts of the classification rules beside the live ones, their preview over the stored messages
 * of the last days, and publishing a previewed draft as the next version of the live rule set,
 * which goes to the router like every directory change and keeps the preview in the history.
 */
@Injectable()
export class RuleDraftsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly drafts: RuleDraftsRepository,
    private readonly directory: DirectoryRepository,
    private readonly directoryService: DirectoryService,
  ) {}

  async draft(): Promise<RuleSetDraftView> {
    return view(await this.existingDraft());
  }

  async saveDraft(body: JsonValue, adminId: string): Promise<RuleSetDraftView> {
    let ruleSet: RuleSetMessage;
    try {
      ruleSet = fromJson(RuleSetSchema, body);
    } catch (error) {
      throw new BadRequestException(`Not a valid RuleSet: ${(error as Error).message}`);
    }
    const problem = ruleSetProblem(ruleSet) ?? (await this.unknownTeam(ruleSet));
    if (problem) throw new BadRequestException(problem);
    const live = await this.liveRuleSet();
    ruleSet.version = 0; // a draft has none; publishing gives it the next live version
    return view(
      await this.drafts.save(RULE_SET_ID, toJson(RuleSetSchema, ruleSet), live.version, adminId),
    );
  }

  async discard(): Promise<void> {
    if (!(await this.drafts.delete(RULE_SET_ID))) throw noDraft();
  }

  /**
   * Replays the messages that opened tickets in the last `days` (the ones the router classified)
   * through the live rules and the draft, newest first up to MAX_REPLAYED, and keeps the result
   * with the draft's revision for publishing.
   */
  async preview(
    days = PREVIEW_DAYS.default,
    examples = PREVIEW_EXAMPLES.default,
  ): Promise<RulePreviewView> {
    const draft = await this.existingDraft();
    const live = await this.liveRuleSet();
    const started = Date.now();
    const to = new Date();
    const from = new Date(to.getTime() - days * DAY_MS);
    const replay = new RuleSetReplay(live, draftRuleSet(draft), examples);
    const read = (after: ReplayCursor | undefined, replayed: number) =>
      this.drafts.replayPage(from, after, Math.min(REPLAY_PAGE, MAX_REPLAYED - replayed));
    let replayed = 0;
    let page = await read(undefined, 0);
    let cursor: ReplayCursor | undefined;
    for (;;) {
      cursor = page.next;
      const more = cursor && replayed + page.messages.length < MAX_REPLAYED;
      // Postgres reads the next page while this one is classified.
      const next = more ? read(cursor, replayed + page.messages.length) : undefined;
      try {
        for (const message of page.messages) replay.add(message);
      } catch (error) {
        await next?.catch(() => undefined); // not left to reject unheard
        throw error;
      }
      replayed += page.messages.length;
      if (!next) break;
      page = await next;
    }
    const result = replay.result();
    const preview: RulePreviewView = {
      draftRevision: draft.revision,
      liveVersion: live.version,
      days,
      from: from.toISOString(),
      to: to.toISOString(),
      limited: cursor !== undefined,
      ...result,
      examples: result.examples.map((example) => ({
        ...example,
        receivedAt: example.receivedAt.toISOString(),
      })),
      computedAt: new Date().toISOString(),
      tookMs: Date.now() - started,
    };
    await this.drafts.keepPreview(RULE_SET_ID, draft.revision, preview as unknown as JsonValue);
    return preview;
  }

  /**
   * Makes the draft the live rule set, with the preview of this very revision in the directory's
   * history. Refused without one, or when the live rules changed since the draft was started:
   * the preview compared with rules that are no longer live.
   */
  async publish(adminId: string): Promise<PublishedRuleSetView> {
    const published = await this.dataSource.transaction(async (manager) => {
      const draft = await this.drafts.find(RULE_SET_ID, manager, true);
      if (!draft) throw noDraft();
      const preview = draft.preview as unknown as RulePreviewView | null;
      if (preview?.draftRevision !== draft.revision) {
        throw new ConflictException('Preview the draft as it stands before publishing it');
      }
      const liveVersion = await this.directory.lockVersion(manager, 'rule_set', RULE_SET_ID);
      if (liveVersion !== draft.basedOnVersion) {
        throw new ConflictException(
          `The live rules changed since this draft was started (version ${draft.basedOnVersion}, ` +
            `now ${liveVersion}): discard the draft and start again from the live rules`,
        );
      }
      const record = await this.directoryService.saveIn(
        manager,
        RULE_SET_ID,
        { case: 'ruleSet', value: fromJson(RuleSetSchema, draft.ruleSet) },
        { by: adminId, rulePreview: draft.preview as JsonValue },
      );
      await this.drafts.delete(RULE_SET_ID, manager);
      return { version: record.version, preview };
    });
    this.relay.nudge();
    return published;
  }

  private async existingDraft(): Promise<RuleSetDraft> {
    const draft = await this.drafts.find(RULE_SET_ID);
    if (!draft) throw noDraft();
    return draft;
  }

  /** The rule set the router classifies with now; libs/routing's default before any is published. */
  private async liveRuleSet(): Promise<RuleSet> {
    const record = await this.directory.find('rule_set', RULE_SET_ID);
    return record?.payload.case === 'ruleSet' ? record.payload.value : DEFAULT_RULE_SET;
  }

  /** A draft may only send messages to teams that exist. */
  private async unknownTeam(ruleSet: RuleSetMessage): Promise<string | undefined> {
    const teams = new Set((await this.directory.list('team')).map((record) => record.id));
    const named = [
      ...ruleSet.rules.flatMap((rule) => (rule.actions ? [rule.actions.teamId] : [])),
      ...(ruleSet.fallback ? [ruleSet.fallback.teamId] : []),
    ];
    const unknown = named.find((teamId) => teamId && !teams.has(teamId));
    return unknown && `there is no team ${unknown}`;
  }
}

function draftRuleSet(draft: RuleSetDraft): RuleSet {
  return fromJson(RuleSetSchema, draft.ruleSet);
}

function view(draft: RuleSetDraft): RuleSetDraftView {
  return {
    id: draft.id,
    ruleSet: draft.ruleSet as Record<string, unknown>,
    basedOnVersion: draft.basedOnVersion,
    revision: draft.revision,
    savedBy: draft.savedBy,
    savedAt: draft.savedAt.toISOString(),
    preview: draft.preview as unknown as RulePreviewView | null,
  };
}

function noDraft(): NotFoundException {
  return new NotFoundException('There is no draft of the rules');
}
