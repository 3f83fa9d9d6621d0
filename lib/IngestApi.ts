import { RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { checkNonEmpty } from './propChecks';
import { SwitchyardKey } from './SwitchyardKey';

/** The routes of the HTTP API (DESIGN "HTTP API"), all served by the ingest function. */
export const INGEST_ROUTES = [
  { method: apigw.HttpMethod.POST, path: '/events' },
  { method: apigw.HttpMethod.GET, path: '/events' },
  { method: apigw.HttpMethod.GET, path: '/events/{id}' },
  { method: apigw.HttpMethod.GET, path: '/feeds/{pattern}' },
  { method: apigw.HttpMethod.GET, path: '/types' },
  { method: apigw.HttpMethod.GET, path: '/health' },
] as const;

/**
 * The route for callers inside AWS: `POST /events` signed with SigV4, checked by API Gateway's IAM authorizer; the
 * ingest function maps the caller's principal ARN to a producer (`iamPrincipals` in the stage's secret).
 */
export const INGEST_IAM_ROUTE = { method: apigw.HttpMethod.POST, path: '/iam/events' } as const;

/** Stage throttling of the API. */
export interface IngestApiThrottle {
  /** Steady-state requests per second, 1 to 10000 (the API Gateway account quota). */
  readonly rateLimit: number;
  /** Burst of requests, an integer from 1 to 5000 (the API Gateway account quota). */
  readonly burstLimit: number;
}

/** Props of {@link IngestApi}. */
export interface IngestApiProps {
  /** The function behind every route (ingest). */
  readonly handler: lambda.IFunction;
  /**
   * Name of the API.
   * @default - the construct path
   */
  readonly apiName?: string;
  /**
   * Throttling of the `$default` stage; requests beyond it get 429 from API Gateway.
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  readonly throttle?: IngestApiThrottle;
  /**
   * Key the access-log group is encrypted with. Its key policy must let CloudWatch Logs use it
   * (see `SwitchyardKey.allowCloudWatchLogs`).
   * @default - a new key with rotation enabled, usable by CloudWatch Logs
   */
  readonly accessLogEncryptionKey?: kms.IKey;
  /**
   * How long access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: logs.RetentionDays;
  /**
   * What happens to the access-log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The producers' and readers' HTTPS front: an API Gateway HTTP API whose routes `POST /events`, `GET /events`,
 * `GET /events/{id}`, `GET /feeds/{pattern}`, `GET /types` and `GET /health` go to the ingest function (payload
 * format 2.0), with a
 * throttled `$default` stage writing JSON access logs to a KMS-encrypted log group.
 * Producers and readers authenticate with bearer tokens that the ingest function checks; callers inside AWS may
 * publish through `POST /iam/events`, signed with SigV4 and checked by API Gateway's IAM authorizer.
 */
export class IngestApi extends Construct {
  /** The HTTP API. */
  public readonly api: apigw.HttpApi;
  /** The auto-deployed `$default` stage. */
  public readonly stage: apigw.HttpStage;
  /** The access-log group. */
  public readonly accessLogGroup: logs.LogGroup;
  /** `POST /iam/events`, behind the IAM authorizer. */
  public readonly iamRoute: apigw.HttpRoute;

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);
    checkNonEmpty(this, 'apiName', props.apiName);
    const throttle = props.throttle ?? { rateLimit: 500, burstLimit: 1000 };
    this.checkThrottle(throttle);

    let logKey = props.accessLogEncryptionKey;
    if (!logKey) {
      const ownKey = new SwitchyardKey(this, 'LogKey', { description: 'Switchyard API access logs' });
      ownKey.allowCloudWatchLogs();
      logKey = ownKey.key;
    }
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: logKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Switchyard ingest: CloudEvents in, over HTTPS',
      createDefaultStage: false,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTimeEpoch',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integration = new HttpLambdaIntegration('Ingest', props.handler);
    for (const route of INGEST_ROUTES) {
      const [created] = this.api.addRoutes({ path: route.path, methods: [route.method], integration });
      Validations.of(created).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Producers and readers authenticate with bearer tokens whose SHA-256 hashes and rights are in the stage secret (PRODUCER_TOKENS_SECRET_ID), checked by the ingest function, which answers 401/403 itself (an API Gateway authorizer cannot see the events a producer may publish); GET /health is public by design. Callers inside AWS use POST /iam/events, behind the IAM authorizer.',
      });
    }
    [this.iamRoute] = this.api.addRoutes({
      path: INGEST_IAM_ROUTE.path,
      methods: [INGEST_IAM_ROUTE.method],
      integration,
      authorizer: new HttpIamAuthorizer(),
    });
  }

  /**
   * Lets `grantee` call `POST /iam/events` (execute-api:Invoke on that route only). What it may publish there is
   * its producer entry's rights: add its principal ARN to a producer's `iamPrincipals`.
   */
  public grantIamPublish(grantee: iam.IGrantable): iam.Grant {
    return this.iamRoute.grantInvoke(grantee);
  }

  /**
   * The execute-api ARN of `POST /iam/events` (any stage): what a SigV4 producer's own IAM policy must allow
   * `execute-api:Invoke` on (an HTTP API has no resource policy).
   */
  public get iamRouteArn(): string {
    return this.api.arnForExecuteApi(INGEST_IAM_ROUTE.method, INGEST_IAM_ROUTE.path, '*');
  }

  /** Base URL of the API, ending with `/` (`https://<id>.execute-api.<region>.amazonaws.com/`). */
  public get url(): string {
    return this.stage.url;
  }

  private checkThrottle(throttle: IngestApiThrottle): void {
    const { rateLimit, burstLimit } = throttle;
    if (!Token.isUnresolved(rateLimit) && !(rateLimit >= 1 && rateLimit <= 10000)) {
      throw new Error(`${this.node.path}: throttle.rateLimit must be between 1 and 10000 requests per second, got ${rateLimit}`);
    }
    if (!Token.isUnresolved(burstLimit) && !(Number.isInteger(burstLimit) && burstLimit >= 1 && burstLimit <= 5000)) {
      throw new Error(`${this.node.path}: throttle.burstLimit must be an integer between 1 and 5000, got ${burstLimit}`);
    }
  }
}
