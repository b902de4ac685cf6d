/**
 * Which images a principal may see and launch, in one place for every action that names an
 * image (describe, attributes, RunInstances' image, kernel and ramdisk): its own account's,
 * public ones and those shared with its account by launch permission; the cloud administrator
 * every one. Any other user of the eucalyptus account is an ordinary user here.
 */
import { isCloudAdmin } from '../../iam/principals';
import { type Principal } from '../../store/types';
import { type Image, type ImageStore } from './store';

export async function imageVisible(images: ImageStore, principal: Principal, image: Image): Promise<boolean> {
  const account = principal.account.id;
  return (
    isCloudAdmin({ principal }) ||
    image.accountId === account ||
    image.isPublic ||
    (await images.launchPermissions(image.id)).includes(account)
  );
}
