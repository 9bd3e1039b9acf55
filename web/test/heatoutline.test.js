// A booth's or zone's outline on the floor heatmap encloses its whole cells, edge to edge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heatOption, outlineItem } from '../src/reach/charts.js';

// Cells 10 px wide, 20 px tall; a cell's centre is the middle of its band, as on a category axis.
const api = (value) => ({
  value: (dim) => value[dim],
  coord: ([c, r]) => [c * 10 + 5, r * 20 + 10],
  size: () => [10, 20],
});

test('an outline runs along the outer edges of its first and last cells', () => {
  const rect = outlineItem(api([2, 1, 4, 3]), 'Booth A');
  assert.deepEqual(rect.shape, { x: 20, y: 20, width: 30, height: 60 });
  assert.equal(rect.textContent.style.text, 'Booth A');
});

test('a one-cell area is outlined as the whole cell', () => {
  assert.deepEqual(outlineItem(api([0, 0, 0, 0]), '').shape, { x: 0, y: 0, width: 10, height: 20 });
});

test('the heatmap option turns areas in metres into exactly the cells they cover', () => {
  const grid = { x0: -10, z0: -5, cell: 1, columns: 20, rows: 10 };
  const option = heatOption(grid, [[0, 0, 3]], [
    { name: 'Zone', area: [-8, -6.5, -4, -3] }, // x in cells 2-3; z [-4, -3) is row 1 alone
    { name: 'Kiosk', area: [0, 4, 0, 4] }, // 4 m on whole metres: 4 cells, not 5
  ]);
  const outlines = option.series.find((s) => s.type === 'custom');
  assert.deepEqual(outlines.data, [
    { name: 'Zone', value: [2, 1, 3, 1] },
    { name: 'Kiosk', value: [10, 5, 13, 8] },
  ]);
  assert.equal(option.visualMap.seriesIndex, 0, 'the colour scale is the heat\'s alone');
  const drawn = outlines.renderItem({ dataIndex: 0 }, api(outlines.data[0].value));
  assert.equal(drawn.textContent.style.text, 'Zone');
});
