// Draws PANELS (data.js) as Grafana's time series panels would, without animation so that a
// headless screenshot catches the finished charts. Text only through textContent.
const COLORS = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9', '#fade2a'];

function formatter(unit) {
  switch (unit) {
    case 'bytes':
      return v => v >= 1048576 ? (v / 1048576).toFixed(1) + ' MiB' : v >= 1024 ? (v / 1024).toFixed(0) + ' KiB' : v + ' B';
    case 's':
      return v => v >= 1 ? v.toFixed(2) + ' s' : (v * 1000).toFixed(v >= 0.01 || v === 0 ? 0 : 1) + ' ms';
    case 'percentunit':
      return v => (v * 100).toFixed(0) + '%';
    default:
      return v => Math.abs(v) >= 1000 ? (v / 1000).toFixed(1) + 'K' : Number(v.toPrecision(3)).toString();
  }
}

Chart.defaults.color = '#8e8e9e';
Chart.defaults.borderColor = '#2c3235';
Chart.defaults.font.size = 11;

const last = Math.max(...PANELS.flatMap(p => p.series.flatMap(s => s.points.map(pt => pt[0]))));
document.getElementById('about').textContent = 'Not Grafana: docs/grafana-dashboard.json\'s queries evaluated over '
  + SCRAPES + ' scrapes of /actuator/prometheus, every 2 s, during a ' + Math.round(last) + ' s bench run (docs/dashboard/render.sh)';

for (const panel of PANELS) {
  const section = document.createElement('section');
  const title = document.createElement('h2');
  title.textContent = panel.title;
  const plot = document.createElement('div');
  plot.className = 'plot';
  const canvas = document.createElement('canvas');
  plot.appendChild(canvas);
  section.append(title, plot);
  document.getElementById('panels').appendChild(section);
  const format = formatter(panel.unit);
  new Chart(canvas, {
    type: 'line',
    data: {
      datasets: panel.series.map((series, i) => ({
        label: series.label,
        data: series.points.map(([x, y]) => ({ x, y })),
        borderColor: COLORS[i % COLORS.length],
        backgroundColor: COLORS[i % COLORS.length] + '22',
        fill: panel.series.length === 1,
        borderWidth: 1.5,
        pointRadius: 0,
        spanGaps: false,
        tension: 0,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 2 } } },
      scales: {
        x: { type: 'linear', min: 0, max: Math.ceil(last), ticks: { stepSize: 10, callback: v => v + ' s' } },
        y: { beginAtZero: true, ticks: { callback: format, maxTicksLimit: 6 } },
      },
    },
  });
}
