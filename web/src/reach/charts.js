/**
 * The reach dashboards' charts: Apache ECharts (from npm, bundled, never a CDN), only the
 * parts the dashboards use, drawn on canvas. Each builder turns the API's JSON into one
 * chart option; the dashboards call setOption again with every refresh, so the charts
 * move in place without a reload. Tooltips are rich text (no HTML: the pages' policy
 * allows no inline styles and exhibitor texts never become markup).
 */

import { BarChart, CustomChart, HeatmapChart, LineChart } from 'echarts/charts';
import {
  GridComponent, LegendComponent, TooltipComponent, VisualMapComponent,
} from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, CustomChart, HeatmapChart, LineChart, GridComponent, LegendComponent,
  TooltipComponent, VisualMapComponent, CanvasRenderer]);

const COLOURS = ['#1565c0', '#fb8c00', '#2e7d32', '#8e24aa', '#00838f', '#c62828'];
const TOOLTIP = { trigger: 'axis', renderMode: 'richText', confine: true };

/**
 * A chart in `el`, in the page's language (ECharts' own words: zh or en).
 * @param {HTMLElement} el
 * @param {'zh' | 'en'} lang
 */
function makeChart(el, lang) {
  const chart = init(el, null, { renderer: 'canvas', locale: lang === 'zh' ? 'ZH' : 'EN' });
  new ResizeObserver(() => chart.resize()).observe(el);
  return chart;
}

/**
 * hh:mm of an ISO time as the API wrote it: in the expo's time zone, whatever the
 * browser's (an exhibitor abroad still sees the hall's clock).
 * @param {string} iso
 */
function clock(iso) {
  return iso.slice(11, 16);
}

/**
 * Visits and cards over time, beside the zone's average booth.
 * @param {any} data GET /api/reach/booths/{id}
 * @param {(key: string) => string} t
 */
function visitsOption(data, t) {
  const s = data.series;
  return {
    color: COLOURS,
    animation: false,
    tooltip: TOOLTIP,
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: s.t.map(clock) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: t('visits'), type: 'bar', data: s.visits },
      { name: t('zone_average'), type: 'line', data: s.zone_visits, symbol: 'none', lineStyle: { type: 'dashed' } },
      { name: t('leads'), type: 'bar', data: s.leads },
    ],
  };
}

/**
 * Dwell (minutes) over time, beside the zone's average booth.
 * @param {any} data
 * @param {(key: string) => string} t
 */
function dwellOption(data, t) {
  const s = data.series;
  const minutes = (/** @type {number[]} */ xs) => xs.map((v) => Math.round(v / 6) / 10);
  return {
    color: COLOURS.slice(2),
    animation: false,
    tooltip: TOOLTIP,
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: s.t.map(clock) },
    yAxis: { type: 'value', name: t('minutes') },
    series: [
      { name: t('dwell'), type: 'line', areaStyle: {}, data: minutes(s.dwell_s), symbol: 'none' },
      { name: t('zone_average'), type: 'line', data: minutes(s.zone_dwell_s), symbol: 'none', lineStyle: { type: 'dashed' } },
    ],
  };
}

/**
 * How long visits lasted (finished visits by length).
 * @param {number[]} hist
 * @param {(key: string) => string} t
 */
function histogramOption(hist, t) {
  const labels = ['<15 s', '15–30 s', '30–60 s', '1–2 min', '2–5 min', '5–10 min', '10–30 min', '>30 min'];
  return {
    color: [COLOURS[0]],
    animation: false,
    tooltip: { ...TOOLTIP, trigger: 'item' },
    grid: { left: 40, right: 16, top: 16, bottom: 40 },
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: t('visits'), type: 'bar', data: hist }],
  };
}

/**
 * A floor heatmap: seconds (or people) per square metre, x across, z down the page.
 * @param {{x0: number, z0: number, cell: number, columns: number, rows: number}} grid
 * @param {Array<[number, number, number]>} cells [column, row, value]
 * @param {Array<{name: string, area: number[]}>} outlines rectangles to draw (x0, x1, z0, z1)
 */
function heatOption(grid, cells, outlines) {
  const xs = Array.from({ length: grid.columns }, (_, i) => (grid.x0 + (i + 0.5) * grid.cell).toFixed(0));
  const zs = Array.from({ length: grid.rows }, (_, i) => (grid.z0 + (i + 0.5) * grid.cell).toFixed(0));
  const max = Math.max(1, ...cells.map((c) => c[2]));
  // The cell an area starts in, and the last cell it reaches into (a far edge on a cell
  // boundary ends the area there: the next cell is outside it).
  const first = (/** @type {number} */ v, /** @type {number} */ v0, /** @type {number} */ n) =>
    Math.max(0, Math.min(n - 1, Math.floor((v - v0) / grid.cell)));
  const last = (/** @type {number} */ v, /** @type {number} */ v0, /** @type {number} */ n, /** @type {number} */ from) =>
    Math.max(from, Math.min(n - 1, Math.ceil((v - v0) / grid.cell - 1e-9) - 1));
  const cellsOf = (/** @type {number[]} */ a) => {
    const c0 = first(a[0], grid.x0, grid.columns);
    const r0 = first(a[2], grid.z0, grid.rows);
    return [c0, r0, last(a[1], grid.x0, grid.columns, c0), last(a[3], grid.z0, grid.rows, r0)];
  };
  return {
    animation: false,
    tooltip: { trigger: 'item', renderMode: 'richText', confine: true },
    grid: { left: 36, right: 16, top: 8, bottom: 72 },
    xAxis: { type: 'category', data: xs, axisLabel: { interval: Math.ceil(grid.columns / 8) } },
    yAxis: { type: 'category', data: zs, inverse: true, axisLabel: { interval: Math.ceil(grid.rows / 8) } },
    visualMap: {
      seriesIndex: 0, // the heat only, never the outlines
      min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120,
      inRange: { color: ['#e3f2fd', '#64b5f6', '#fb8c00', '#c62828'] },
    },
    series: [
      { type: 'heatmap', data: cells, progressive: 0 },
      {
        type: 'custom',
        silent: true,
        z: 3,
        data: outlines.map((o) => ({ name: o.name, value: cellsOf(o.area) })),
        renderItem: (/** @type {{dataIndex: number}} */ params, /** @type {OutlineApi} */ api) => outlineItem(api, outlines[params.dataIndex]?.name ?? ''),
      },
    ],
  };
}

/**
 * ECharts' custom-series API, the parts an outline needs.
 * @typedef {{value: (dim: number) => number, coord: (p: number[]) => number[], size: (d: number[]) => number[]}} OutlineApi
 */

/**
 * One outline on the heatmap: the rectangle around whole cells, from the first cell's outer
 * edge to the last's (a mark area on category axes joins the cells' centres, half a cell
 * short on every side).
 * @param {OutlineApi} api the outline's cells (first column, first row, last column, last row)
 * @param {string} name written inside its top-left corner
 */
function outlineItem(api, name) {
  const a = api.coord([api.value(0), api.value(1)]);
  const b = api.coord([api.value(2), api.value(3)]);
  const [w, h] = api.size([1, 1]);
  return {
    type: 'rect',
    shape: {
      x: Math.min(a[0], b[0]) - w / 2,
      y: Math.min(a[1], b[1]) - h / 2,
      width: Math.abs(b[0] - a[0]) + w,
      height: Math.abs(b[1] - a[1]) + h,
    },
    style: { fill: 'none', stroke: '#37474f', lineWidth: 1, lineDash: [4, 3] },
    textContent: { style: { text: name, fontSize: 10, fill: '#37474f' } },
    textConfig: { position: 'insideTopLeft' },
  };
}

/**
 * Horizontal bars: a name and a value each.
 * @param {Array<[string, number]>} rows
 * @param {string} name
 * @param {string} colour
 */
function barsOption(rows, name, colour) {
  return {
    color: [colour],
    animation: false,
    tooltip: { ...TOOLTIP, trigger: 'item' },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((r) => r[0]), inverse: true },
    series: [{ name, type: 'bar', data: rows.map((r) => r[1]), label: { show: true, position: 'right' } }],
  };
}

/**
 * Flows between zones as a from × to matrix.
 * @param {Array<{from: string, to: string, visitors: number}>} flows
 * @param {(id: string) => string} zoneName
 */
function flowsOption(flows, zoneName) {
  const zones = [...new Set(flows.flatMap((f) => [f.from, f.to]))].sort();
  const max = Math.max(1, ...flows.map((f) => f.visitors));
  return {
    animation: false,
    tooltip: { trigger: 'item', renderMode: 'richText', confine: true },
    grid: { left: 8, right: 16, top: 8, bottom: 56, containLabel: true },
    xAxis: { type: 'category', data: zones.map(zoneName), axisLabel: { rotate: 30 } },
    yAxis: { type: 'category', data: zones.map(zoneName) },
    visualMap: { min: 0, max, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#fff3e0', '#fb8c00', '#bf360c'] } },
    series: [{
      type: 'heatmap',
      data: flows.map((f) => [zones.indexOf(f.to), zones.indexOf(f.from), f.visitors]),
      label: { show: true },
    }],
  };
}

export { barsOption, dwellOption, flowsOption, heatOption, histogramOption, makeChart, outlineItem, visitsOption };
