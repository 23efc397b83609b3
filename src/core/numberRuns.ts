// "1..3, 7": a list of numbers with runs of +1 collapsed, for slots and LBAs in
// messages, plans and the CLI's write summaries.

/** The numbers in the order given, each run of consecutive ones as `first..last`, joined by ", " ("" for none). */
export function numberRuns(numbers: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; i++) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    parts.push(j > i ? `${numbers[i]}..${numbers[j]}` : String(numbers[i]));
    i = j;
  }
  return parts.join(', ');
}
