/** A score the customer gave in words of their own, and what they wrote beside it. */
export interface SurveyAnswer {
  score: number;
  comment: string;
}

// A score alone or with a comment after a separator: "5", "4/5", "2 — долго отвечали", "3. Slow",
// "1\nNobody called". A number that starts a sentence ("5 more problems") is not a score.
const SCORE = /^([1-5])(?:\s*(?:\/|из|of)\s*5)?(?:\s*(?:[-–—:.,;!)]+|\n)\s*([\s\S]*))?$/iu;

/**
 * Reads a reply to the satisfaction survey as a score, or undefined when it does not read as
 * one. The survey asks for a number from 1 to 5; the customer's signature ("-- " and below) is
 * not part of the comment.
 */
export function readSurveyAnswer(text: string): SurveyAnswer | undefined {
  const body = text.split(/^-- ?$/m)[0]!.trim();
  const match = SCORE.exec(body);
  if (!match) return undefined;
  return { score: Number(match[1]), comment: (match[2] ?? '').trim() };
}
