/** The last questions a user asked, per user and per browser. */
const MAX = 10;
const key = (userId: string) => `manuel.recent.${userId}`;

export function recentQuestions(userId: string): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(key(userId)) ?? '[]');
    return Array.isArray(v) ? v.filter((q): q is string => typeof q === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberQuestion(userId: string, question: string): string[] {
  const q = question.trim();
  if (!q) return recentQuestions(userId);
  const list = [q, ...recentQuestions(userId).filter((x) => x !== q)].slice(0, MAX);
  localStorage.setItem(key(userId), JSON.stringify(list));
  return list;
}
