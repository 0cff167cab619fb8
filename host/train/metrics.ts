/**
 * Classification metrics from predicted and true class indices: accuracy,
 * per-class precision/recall/F1 and the confusion matrix, with a plain-text
 * rendering for the terminal.
 */

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Windows of this class in the evaluated set. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  count: number;
  labels: string[];
  /** matrix[trueClass][predictedClass] = windows */
  confusion: number[][];
  perClass: ClassMetrics[];
}

export function argmaxRows(values: ArrayLike<number>, columns: number): Int32Array {
  const rows = values.length / columns;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < columns; c++) if (values[r * columns + c] > values[r * columns + best]) best = c;
    out[r] = best;
  }
  return out;
}

export function classificationReport(truth: ArrayLike<number>, predicted: ArrayLike<number>, labels: string[]): ClassificationReport {
  if (truth.length !== predicted.length) throw new Error(`${truth.length} labels but ${predicted.length} predictions`);
  const n = labels.length;
  const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    confusion[truth[i]][predicted[i]]++;
    if (truth[i] === predicted[i]) correct++;
  }
  const perClass = labels.map((label, c) => {
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((a, row) => a + row[c], 0);
    const hits = confusion[c][c];
    const precision = predictedAs ? hits / predictedAs : 0;
    const recall = support ? hits / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  return { accuracy: truth.length ? correct / truth.length : 0, count: truth.length, labels, confusion, perClass };
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The confusion matrix (rows: true class, columns: predicted) and per-class figures as text. */
export function formatReport(report: ClassificationReport, title = 'validation'): string {
  const width = Math.max(10, ...report.labels.map((l) => l.length + 2));
  const pad = (s: string) => s.padStart(width);
  const lines = [
    `${title}: accuracy ${percent(report.accuracy)} over ${report.count} windows`,
    `confusion matrix (rows: true class, columns: predicted)`,
    pad('') + report.labels.map(pad).join(''),
    ...report.confusion.map((row, i) => pad(report.labels[i]) + row.map((v) => pad(String(v))).join('')),
    `${pad('class')}${pad('precision')}${pad('recall')}${pad('f1')}${pad('windows')}`,
    ...report.perClass.map((m) => pad(m.label) + pad(percent(m.precision)) + pad(percent(m.recall)) + pad(percent(m.f1)) + pad(String(m.support))),
  ];
  return lines.join('\n') + '\n';
}
