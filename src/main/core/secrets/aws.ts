import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretRef } from '../../../shared/domain/secrets';
import { awsClientOptions, isTimeout, networkTimeoutMs, timeoutError } from '../util/aws-client';
import { OpsError } from '../util/errors';
import { redact } from '../util/redact';

export interface AwsScope {
  region?: string | undefined;
  profile?: string | undefined;
}

const clients = new Map<string, SecretsManagerClient>();

function endpointOverride(): string | undefined {
  return process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? process.env.AWS_ENDPOINT_URL;
}

/** Where Secrets Manager calls for this scope go, for error messages. */
export function secretsEndpoint(scope: AwsScope = {}): string {
  const region = scope.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return endpointOverride() ?? (region ? `https://secretsmanager.${region}.amazonaws.com` : 'Secrets Manager (no region set)');
}

/**
 * One client per region/profile/endpoint/deadline. The SDK's default credential chain and region apply;
 * AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL point it at a compatible server (tests).
 * Every call has the network deadline (util/aws-client), so a silent endpoint falls back to the cache
 * or fails with a clear error instead of hanging the UI.
 */
export function secretsClient(scope: AwsScope = {}): SecretsManagerClient {
  const timeoutMs = networkTimeoutMs();
  const key = `${scope.region ?? ''}|${scope.profile ?? ''}|${endpointOverride() ?? ''}|${timeoutMs}`;
  let client = clients.get(key);
  if (!client) {
    client = new SecretsManagerClient({
      ...(scope.region ? { region: scope.region } : {}),
      ...(scope.profile ? { profile: scope.profile } : {}),
      ...awsClientOptions(timeoutMs),
    });
    clients.set(key, client);
  }
  return client;
}

export function scopeOf(ref: Pick<SecretRef, 'region' | 'profile'>): AwsScope {
  return { region: ref.region, profile: ref.profile };
}

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'CredentialsProviderError',
  'ProviderError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);

/** Unreachable, throttled or failing on AWS's side: worth serving a cached value or the environment. */
export function isTransient(err: unknown): boolean {
  const e = (err ?? {}) as AwsLikeError;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (e.message && /region is missing|could not load credentials|socket hang up|connect ECONNREFUSED|getaddrinfo/i.test(e.message)) return true;
  return false;
}

/** A short, secret-free reason for the UI ("ThrottlingException: Rate exceeded"). */
export function awsReason(err: unknown): string {
  const e = (err ?? {}) as AwsLikeError;
  const name = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'error');
  return redact(`${name}: ${(e.message ?? String(err)).split('\n')[0]!.slice(0, 200)}`);
}

/** AWS failures as OpsErrors a DBA can act on. */
export function awsError(err: unknown, what: string, scope: AwsScope = {}): OpsError {
  const e = (err ?? {}) as AwsLikeError;
  if (err instanceof OpsError) return err;
  if (isTimeout(err)) return timeoutError('Secrets Manager', secretsEndpoint(scope), what, networkTimeoutMs());
  if (e.name === 'ResourceNotFoundException') return new OpsError('secret_not_found', `${what}: the secret does not exist.`, 'Check the secret id (name or ARN) and the region.');
  if (e.name === 'AccessDeniedException') return new OpsError('aws_access_denied', `${what}: access denied.`, 'The AWS identity in use lacks secretsmanager permissions for this secret.');
  if (e.name === 'InvalidRequestException' || e.name === 'InvalidParameterException') return new OpsError('aws_invalid_request', `${what}: ${awsReason(err)}`, 'Check the secret\'s state (rotation configured? not scheduled for deletion?).');
  if (isTransient(err)) return new OpsError('aws_unreachable', `${what}: Secrets Manager unreachable (${awsReason(err)}).`, 'Check network access, AWS credentials (profile, environment) and the region; AWS_ENDPOINT_URL_SECRETS_MANAGER overrides the endpoint.');
  return new OpsError('aws_error', `${what}: ${awsReason(err)}`);
}
