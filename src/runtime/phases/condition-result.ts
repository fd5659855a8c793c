/** The verdict on one condition: whether it holds, and in words what was found ("412 of 500 lines"). */
export interface ConditionResult {
  met: boolean;
  detail: string;
}
