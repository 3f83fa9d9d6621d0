import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Props of {@link FunctionUrlIngest}. */
export interface FunctionUrlIngestProps {
  /** The ingest function: it serves every route itself (payload format 2.0, the same events as the HTTP API's). */
  readonly handler: lambda.IFunction;
}

/**
 * The producers' and readers' HTTPS front without API Gateway (stage setting `ingest: "functionUrl"`): a Lambda
 * function URL on the ingest function. No per-request API charge, no access-log group, no stage throttle (bound the
 * intake with `ingestReservedConcurrency`; beyond it Lambda answers 429 itself).
 *
 * Auth type NONE: the URL is public, and the ingest function checks the bearer token of every route but
 * `GET /health` (401 otherwise), as it does behind the HTTP API. AWS_IAM would require SigV4 from every producer,
 * which producers outside AWS holding a bearer token cannot do. (cdk-nag's AwsSolutions pack has no rule on function
 * URLs; its NIST and HIPAA packs' LambdaFunctionUrlAuth would flag NONE.)
 */
export class FunctionUrlIngest extends Construct {
  /** The function URL. */
  public readonly functionUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: FunctionUrlIngestProps) {
    super(scope, id);
    this.functionUrl = new lambda.FunctionUrl(this, 'Url', {
      function: props.handler,
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.BUFFERED,
    });
  }

  /** Base URL of the function URL, ending with `/` (`https://<id>.lambda-url.<region>.on.aws/`). */
  public get url(): string {
    return this.functionUrl.url;
  }
}
