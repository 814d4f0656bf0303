/**
 * @module infra/logging
 * Where the proxies' logs go and what watches them: three log groups (squid-format access log, JSON
 * decision log, the service's own JSON log), metric filters for denials and failed policy reloads,
 * and alarms on those and on the number of healthy proxies. Must not know how logs are shipped
 * (install-cordon.sh configures the CloudWatch agent).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ResolvedProps } from './props.js';

export interface CordonLogs {
  readonly access: logs.LogGroup;
  readonly decisions: logs.LogGroup;
  readonly service: logs.LogGroup;
  readonly namespace: string;
  readonly alarms: cloudwatch.Alarm[];
}

function logGroup(scope: Construct, id: string, p: ResolvedProps): logs.LogGroup {
  // Construct IDs are API here: renaming one would replace the log group and lose its history.
  return new logs.LogGroup(scope, id, { retention: p.logRetention, removalPolicy: RemovalPolicy.RETAIN });
}

function countFilter(
  scope: Construct,
  id: string,
  group: logs.LogGroup,
  namespace: string,
  name: string,
  field: string,
  value: string,
) {
  return new logs.MetricFilter(scope, id, {
    logGroup: group,
    filterPattern: logs.FilterPattern.stringValue(field, '=', value),
    metricNamespace: namespace,
    metricName: name,
    metricValue: '1',
    defaultValue: 0,
  }).metric({ statistic: 'Sum', period: Duration.minutes(5) });
}

/** Log groups, metric filters and the log-based alarms. */
export function createLogs(scope: Construct, p: ResolvedProps): CordonLogs {
  const namespace = `Cordon/${Stack.of(scope).stackName}`;
  const access = logGroup(scope, 'AccessLogGroup', p);
  const decisions = logGroup(scope, 'DecisionLogGroup', p);
  const service = logGroup(scope, 'ServiceLogGroup', p);
  const denied = countFilter(scope, 'DeniedFilter', decisions, namespace, 'Denied', '$.decision', 'deny');
  const reloadFailed = countFilter(
    scope,
    'ReloadFailedFilter',
    service,
    namespace,
    'PolicyReloadFailed',
    '$.msg',
    'policy reload failed',
  );
  const alarms = [
    denied.createAlarm(scope, 'DeniedAlarm', {
      alarmDescription: `More than ${p.denyAlarmThreshold} requests denied in 5 minutes: review the queue in the admin UI`,
      threshold: p.denyAlarmThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    reloadFailed.createAlarm(scope, 'ReloadFailedAlarm', {
      alarmDescription:
        'A policy update was rejected; the proxies keep the last good policy. See the service log.',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  ];
  return { access, decisions, service, namespace, alarms };
}

/** Send every alarm to the topic, when there is one. */
export function wireAlarms(alarms: readonly cloudwatch.Alarm[], p: ResolvedProps): void {
  if (p.alarmTopic === undefined) return;
  for (const alarm of alarms) alarm.addAlarmAction(new actions.SnsAction(p.alarmTopic));
}
