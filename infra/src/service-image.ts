import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';

export interface ServiceImageArgs {
  /** Repository name, e.g. `taskoverflow/todo`. */
  repositoryName: string;
  /** Absolute path of the repository root: the Docker build context. */
  repoRoot: string;
  service: string;
  keepImages: number;
  /** Fargate CPU architecture the image is built for (ARM64 by default: Graviton). */
  cpuArchitecture: 'ARM64' | 'X86_64';
}

/**
 * A service's ECR repository (scanned on push, only the last N images kept) and its image,
 * built from `services/<name>/Dockerfile` with the repository root as context, for the stack's
 * Fargate architecture whatever machine runs `pulumi up` (cross-building needs buildx/QEMU).
 */
export class ServiceImage extends pulumi.ComponentResource {
  readonly repositoryArn: pulumi.Output<string>;
  readonly repositoryUrl: pulumi.Output<string>;
  readonly imageUri: pulumi.Output<string>;

  constructor(name: string, args: ServiceImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:compute:ServiceImage', name, {}, opts);
    const parent = { parent: this };

    const repository = new aws.ecr.Repository(
      name,
      { name: args.repositoryName, imageScanningConfiguration: { scanOnPush: true }, forceDelete: true },
      parent,
    );
    new aws.ecr.LifecyclePolicy(
      name,
      {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `keep the last ${args.keepImages} images`,
              selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: args.keepImages },
              action: { type: 'expire' },
            },
          ],
        }),
      },
      parent,
    );
    const image = new awsx.ecr.Image(
      name,
      {
        repositoryUrl: repository.repositoryUrl,
        context: args.repoRoot,
        dockerfile: `${args.repoRoot}/services/${args.service}/Dockerfile`,
        platform: args.cpuArchitecture === 'ARM64' ? 'linux/arm64' : 'linux/amd64',
      },
      parent,
    );

    this.repositoryArn = repository.arn;
    this.repositoryUrl = repository.repositoryUrl;
    this.imageUri = image.imageUri;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, imageUri: this.imageUri });
  }
}
