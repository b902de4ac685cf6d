import UserAddLoginProfile from './euare-useraddloginprofile';

/** The same flags, prompt and parameters as euare-useraddloginprofile; only the action differs. */
export default class UserModLoginProfile extends UserAddLoginProfile {
  static override summary = "Change a user's password";
  static override action = 'UpdateLoginProfile';
}
