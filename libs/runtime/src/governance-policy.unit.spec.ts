import { EU_AI_ACT_INCIDENT_DEADLINE_DAYS } from '@ledger/domain';
import { governancePolicy } from './governance-policy';
import { ConfigError, loadConfig } from './ledger-config';

describe("the jurisdiction's serious-incident deadlines", () => {
  it("are the EU AI Act's when nothing is set", () =>
    expect(governancePolicy(loadConfig({})).incidentDeadlineDays).toEqual(EU_AI_ACT_INCIDENT_DEADLINE_DAYS));

  it('override the named classes and keep the others', () =>
    expect(
      governancePolicy(loadConfig({ LEDGER_INCIDENT_DEADLINE_DAYS: 'death=7, other_serious = 30' }))
        .incidentDeadlineDays,
    ).toEqual({ ...EU_AI_ACT_INCIDENT_DEADLINE_DAYS, death: 7, other_serious: 30 }));

  it.each(['death=0', 'not_serious=5', 'death:7', 'death=7,', 'catastrophic=1', 'death=1.5'])(
    'refuse %s at start, naming the variable and the rule',
    (value) => {
      expect(() => loadConfig({ LEDGER_INCIDENT_DEADLINE_DAYS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ LEDGER_INCIDENT_DEADLINE_DAYS: value })).toThrow(
        /LEDGER_INCIDENT_DEADLINE_DAYS must be comma-separated class=days pairs/,
      );
    },
  );
});

describe('the grace for reporting an incident', () => {
  it('is 24 hours unless set', () => expect(loadConfig({}).LEDGER_INCIDENT_REPORT_GRACE_HOURS).toBe(24));

  it('takes a whole number of hours and refuses anything else', () => {
    expect(loadConfig({ LEDGER_INCIDENT_REPORT_GRACE_HOURS: '0' }).LEDGER_INCIDENT_REPORT_GRACE_HOURS).toBe(
      0,
    );
    expect(() => loadConfig({ LEDGER_INCIDENT_REPORT_GRACE_HOURS: '-1' })).toThrow(
      /LEDGER_INCIDENT_REPORT_GRACE_HOURS must be a whole number of hours/,
    );
  });
});
