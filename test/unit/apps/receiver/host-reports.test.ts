import { describe, expect, it } from 'vitest';
import {
  LAZARUS_ALERT_ORIGIN,
  parseAlertmanagerWebhook,
  parseGenericReport,
} from '../../../../apps/receiver/host-reports.ts';
import { alertmanagerWebhook } from '../../../support/alertmanager-payloads.ts';

describe('reading Alertmanager webhooks', () => {
  it('turns each firing alert into a report of the host its label names, with the alert as the reason', () => {
    const parsed = parseAlertmanagerWebhook(
      alertmanagerWebhook(
        { host: 'cmp-07', status: 'firing' },
        { host: 'cmp-08', status: 'firing' },
      ),
      'host',
    );
    expect(parsed).toEqual({
      isValid: true,
      ignored: [],
      reports: ['cmp-07', 'cmp-08'].map((host) => ({
        host,
        reporter: 'alertmanager/lazarus',
        reportedAt: '2026-11-21T21:40:00.000Z',
        reason: `NodeDown firing: ${host} has not answered node_exporter scrapes for 2 minutes`,
      })),
    });
  });

  it('starts nothing for resolved alerts and says why', () => {
    const parsed = parseAlertmanagerWebhook(
      alertmanagerWebhook(
        { host: 'cmp-07', status: 'resolved' },
        { host: 'cmp-08', status: 'firing' },
      ),
      'host',
    );
    expect(parsed.isValid && parsed.reports.map((report) => report.host)).toEqual(['cmp-08']);
    expect(parsed.isValid && parsed.ignored).toEqual([
      {
        fingerprint: 'f0c9a3e1b2d40000',
        host: 'cmp-07',
        status: 'resolved',
        because: expect.stringContaining('resolved alerts start nothing') as unknown,
      },
    ]);
  });

  it("starts nothing for Lazarus's own alerts, which name the host of an incident, and says where they belong", () => {
    const webhook = alertmanagerWebhook(
      { host: 'cmp-07', status: 'firing', alertname: 'LazarusFencingUnproven' },
      { host: 'cmp-08', status: 'firing' },
    );
    const [own] = webhook.alerts;
    if (own === undefined) throw new Error('no alert in the fixture');
    Object.assign(own.labels, { origin: LAZARUS_ALERT_ORIGIN });
    const parsed = parseAlertmanagerWebhook(webhook, 'host');
    expect(parsed.isValid && parsed.reports.map((report) => report.host)).toEqual(['cmp-08']);
    expect(parsed.isValid && parsed.ignored).toEqual([
      {
        fingerprint: 'f0c9a3e1b2d40000',
        host: 'cmp-07',
        status: 'firing',
        because:
          'LazarusFencingUnproven is one of Lazarus\'s own alerts (label origin="lazarus"), about an incident, not a failure: it starts nothing; route it to people (infra/monitoring/README.md)',
      },
    ]);
  });

  it('reads the host from the configured label', () => {
    const parsed = parseAlertmanagerWebhook(
      alertmanagerWebhook({ host: 'cmp-07', status: 'firing' }),
      'instance',
    );
    expect(parsed).toEqual({
      isValid: false,
      problems: [
        expect.stringMatching(
          /^alerts\[0\]\.labels\.instance: "cmp-07:9100" is not a host name/,
        ) as unknown,
      ],
    });
  });

  it('refuses the whole payload when one firing alert names no host, so that nothing starts from it', () => {
    const body = alertmanagerWebhook(
      { host: 'cmp-07', status: 'firing' },
      { host: 'cmp-08', status: 'firing' },
    );
    delete (body.alerts[1]?.labels as Partial<Record<string, string>>).host;
    expect(parseAlertmanagerWebhook(body, 'host')).toEqual({
      isValid: false,
      problems: [
        expect.stringContaining('alerts[1].labels.host: is missing; label the alert') as unknown,
      ],
    });
  });

  it('names every field that is wrong in a payload that is not a version 4 webhook', () => {
    const parsed = parseAlertmanagerWebhook(
      { version: '3', status: 'burning', alerts: [] },
      'host',
    );
    expect(parsed.isValid ? [] : parsed.problems).toEqual([
      expect.stringMatching(/^version: must be "4"/),
      expect.stringMatching(/^status: must be "firing" or "resolved"/),
      'receiver: must be text',
      'alerts: is empty; there is nothing to report',
    ]);
  });
});

describe('reading generic reports', () => {
  it("takes a host, a reporter and optionally a reason and the reporter's time", () => {
    expect(
      parseGenericReport({
        host: 'cmp-07',
        reporter: 'consul',
        reason: 'serfHealth critical',
        reportedAt: '2026-11-21T21:40:00+01:00',
      }),
    ).toEqual({
      isValid: true,
      ignored: [],
      reports: [
        {
          host: 'cmp-07',
          reporter: 'consul',
          reason: 'serfHealth critical',
          reportedAt: '2026-11-21T21:40:00+01:00',
        },
      ],
    });
  });

  it('refuses unknown fields, a missing reporter and a host that is no host name', () => {
    const parsed = parseGenericReport({ host: 'cmp 07; rm -rf', hostname: 'cmp-07' });
    expect(parsed.isValid ? [] : parsed.problems).toEqual([
      expect.stringMatching(/^host: must be a host name as Nova shows it/),
      'reporter: must be text',
      '(body): has unknown field hostname',
    ]);
  });
});
