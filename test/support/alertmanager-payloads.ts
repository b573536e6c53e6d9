// Alertmanager webhook bodies as Alertmanager 0.28 sends them (payload version 4), for one alert per host.
interface AlertFixture {
  host: string;
  status: 'firing' | 'resolved';
  alertname?: string;
}

function alert({ host, status, alertname = 'NodeDown' }: AlertFixture, index: number) {
  return {
    status,
    labels: { alertname, host, instance: `${host}:9100`, job: 'node', severity: 'critical' },
    annotations: { summary: `${host} has not answered node_exporter scrapes for 2 minutes` },
    startsAt: '2026-11-21T21:40:00.000Z',
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-21T21:50:00.000Z',
    generatorURL: `http://prometheus:9090/graph?g0.expr=up%7Bjob%3D%22node%22%7D+%3D%3D+0&g0.tab=1`,
    fingerprint: `f0c9a3e1b2d4${String(index).padStart(4, '0')}`,
  };
}

export function alertmanagerWebhook(...alerts: AlertFixture[]) {
  const status = alerts.some((fixture) => fixture.status === 'firing') ? 'firing' : 'resolved';
  return {
    version: '4',
    groupKey: '{}:{alertname="NodeDown"}',
    truncatedAlerts: 0,
    status,
    receiver: 'lazarus',
    groupLabels: { alertname: 'NodeDown' },
    commonLabels: { alertname: 'NodeDown', job: 'node', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: alerts.map(alert),
  };
}
