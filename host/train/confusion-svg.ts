/**
 * Renders a confusion matrix as a standalone SVG (open it in a browser or
 * embed it in HTML): cells shaded by the share of their row, with counts.
 */
import { ClassificationReport } from './metrics.js';

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

export function confusionSvg(report: ClassificationReport, title = 'Confusion matrix'): string {
  const n = report.labels.length;
  const cell = 56;
  const labelWidth = Math.max(70, 8 * Math.max(...report.labels.map((l) => l.length)) + 16);
  const top = 70;
  const width = labelWidth + n * cell + 20;
  const height = top + n * cell + 50;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${width / 2}" y="38" text-anchor="middle">accuracy ${(100 * report.accuracy).toFixed(1)}% over ${report.count} windows</text>`,
    `<text x="${labelWidth + (n * cell) / 2}" y="${top - 8}" text-anchor="middle" fill="#555">predicted</text>`,
  ];
  report.confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    parts.push(`<text x="${labelWidth - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${escapeXml(report.labels[i])}</text>`);
    row.forEach((count, j) => {
      const share = count / total;
      const x = labelWidth + j * cell;
      const y = top + i * cell;
      const fill = i === j ? `rgba(33, 113, 181, ${0.1 + 0.9 * share})` : `rgba(203, 24, 29, ${share > 0 ? 0.1 + 0.9 * share : 0})`;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#999"/>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.6 ? 'white' : 'black'}">${count}</text>`,
      );
    });
  });
  report.labels.forEach((label, j) => {
    parts.push(`<text x="${labelWidth + j * cell + cell / 2}" y="${top + n * cell + 16}" text-anchor="middle">${escapeXml(label)}</text>`);
  });
  parts.push(`<text x="12" y="${top + (n * cell) / 2}" transform="rotate(-90 12 ${top + (n * cell) / 2})" text-anchor="middle" fill="#555">true</text>`, '</svg>');
  return parts.join('\n') + '\n';
}
