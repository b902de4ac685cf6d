/**
 * Asking the user, when a command needs a secret it was not given: a password typed at a prompt
 * without echo (inquirer, loaded only when a prompt is shown).
 */
export async function promptPassword(message = 'New password:'): Promise<string> {
  const inquirer = require('inquirer') as typeof import('inquirer');
  const { password } = await inquirer.prompt([{ type: 'password', name: 'password', message, mask: '' }]);
  return password as string;
}
