/**
 * SVG line charts drawn from a benchmark run's own numbers (no library: a few dozen lines of SVG),
 * written next to docs/benchmarks.md so a reader sees the gaps at a glance.
 */

/** One line of a chart; `dashed` for a baseline that has no x dimension (drawn flat). */
export interface Series {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly dashed?: boolean;
}

/** A chart: x positions are the caller's (e.g. log2 of a prefetch), labelled by `xTicks`. */
export interface Chart {
  /** File name under the chart folder, e.g. `route-hop.svg`. */
  readonly file: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xTicks: readonly { readonly x: number; readonly label: string }[];
  readonly series: readonly Series[];
}

const colours = ['#c0392b', '#2471a3', '#1e8449', '#7d3c98', '#b9770e', '#566573'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A "nice" upper bound for the y axis (1, 2 or 5 × 10^n above the largest value). */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Renders one chart as a self-contained SVG document. */
export function renderChart(chart: Chart): string {
  const width = 720;
  const height = 400;
  const left = 80;
  const right = 200;
  const top = 40;
  const bottom = 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const xs = chart.xTicks.map((tick) => tick.x);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yMax = niceMax(Math.max(...chart.series.flatMap((s) => s.points.map((p) => p.y))));
  const px = (x: number) =>
    left + (xMax === xMin ? plotW / 2 : ((x - xMin) / (xMax - xMin)) * plotW);
  const py = (y: number) => top + plotH - (y / yMax) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" viewBox="0 0 ${String(width)} ${String(height)}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${String(width / 2)}" y="22" text-anchor="middle" font-size="15">${escape(chart.title)}</text>`,
  ];
  for (let i = 0; i <= 5; i += 1) {
    const y = (yMax / 5) * i;
    parts.push(
      `<line x1="${String(left)}" x2="${String(left + plotW)}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${String(left - 6)}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${escape(Number(y.toPrecision(4)).toLocaleString('en-US'))}</text>`,
    );
  }
  for (const tick of chart.xTicks) {
    parts.push(
      `<line x1="${px(tick.x).toFixed(1)}" x2="${px(tick.x).toFixed(1)}" y1="${String(top)}" y2="${String(top + plotH)}" stroke="#eee"/>`,
      `<text x="${px(tick.x).toFixed(1)}" y="${String(top + plotH + 18)}" text-anchor="middle">${escape(tick.label)}</text>`,
    );
  }
  parts.push(
    `<rect x="${String(left)}" y="${String(top)}" width="${String(plotW)}" height="${String(plotH)}" fill="none" stroke="#333"/>`,
    `<text x="${String(left + plotW / 2)}" y="${String(height - 14)}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${String(top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`,
  );
  chart.series.forEach((series, index) => {
    const colour = colours[index % colours.length] ?? '#000';
    const path = series.points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"${series.dashed === true ? ' stroke-dasharray="6 4"' : ''}/>`,
      ...series.points.map(
        (p) =>
          `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${colour}"/>`,
      ),
      `<line x1="${String(left + plotW + 12)}" x2="${String(left + plotW + 36)}" y1="${String(top + 10 + index * 20)}" y2="${String(top + 10 + index * 20)}" stroke="${colour}" stroke-width="2"${series.dashed === true ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${String(left + plotW + 42)}" y="${String(top + 14 + index * 20)}">${escape(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
