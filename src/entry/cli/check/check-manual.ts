/**
 * The check's own manual, built at run time by core/pdf/build-pdf (text operators in Helvetica, correct xref
 * offsets), so the questions below have answers the server must find on known pages.
 */

/** Pages of the check kettle's manual; `run` makes each run's PDF unique (no duplicate-upload short cut). */
export function checkManualPages(run: string): string[][] {
  return [
    [
      'Quartz Kettle QK-7 user guide',
      `Document ${run}`,
      'Descaling the kettle',
      'Fill the kettle with white vinegar and water in equal parts.',
      'Boil the mixture, wait twenty minutes, then rinse three times.',
    ],
    [
      'Temperature presets',
      'Hold the thermometer button for three seconds to cycle through presets.',
      'Green tea uses the eighty degree preset; black tea uses one hundred degrees.',
    ],
    [
      'Error codes',
      'Error E4 means the kettle was switched on while empty.',
      'Let the kettle cool for ten minutes before refilling it.',
      'The warranty lasts twenty four months from the date of purchase.',
    ],
  ];
}

/** Questions with an answer in the manual, the page it is on, and a word the answer or its source must contain. */
export const CHECK_QUESTIONS: { question: string; page: number; expect: RegExp }[] = [
  { question: 'How do I descale the kettle?', page: 1, expect: /vinegar/i },
  { question: 'What does error E4 mean?', page: 3, expect: /empty/i },
  { question: 'Which preset is used for green tea?', page: 2, expect: /eighty/i },
  { question: 'How long does the warranty last?', page: 3, expect: /twenty four months/i },
  { question: 'How do I cycle through the temperature presets?', page: 2, expect: /thermometer/i },
  { question: 'How long should the vinegar mixture wait after boiling?', page: 1, expect: /twenty minutes/i },
  { question: 'How long must the kettle cool after error E4?', page: 3, expect: /ten minutes/i },
  { question: 'What temperature is used for black tea?', page: 2, expect: /one hundred/i },
];

/** The spoken question of the voice check (short, words a small recogniser knows). */
export const VOICE_QUESTION = 'How do I descale the kettle?';

/** Zipf(s=1) over the repeated questions: rank k drawn with probability ∝ 1/k. */
export function zipfPicker(n: number, random: () => number = Math.random): () => number {
  const weights = Array.from({ length: n }, (_, k) => 1 / (k + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let r = random() * total;
    for (let k = 0; k < n; k++) if ((r -= weights[k]!) <= 0) return k;
    return n - 1;
  };
}
