// TLP 2.0 labels as input, and which labels a partner with a given ceiling may receive.
import { enum as oneOf } from 'zod/mini'
import { TLP_LEVELS, type Tlp } from '../../store/index.ts'
import { blankAsAbsent } from '../input.ts'

export const tlpField = () => oneOf(TLP_LEVELS)
export const optionalTlp = () => blankAsAbsent(tlpField())

/** The labels at or below `ceiling`: RED reaches only RED partners. */
export const tlpsUpTo = (ceiling: Tlp): Tlp[] =>
  TLP_LEVELS.slice(0, TLP_LEVELS.indexOf(ceiling) + 1)

export const mayReceive = (ceiling: Tlp, label: Tlp): boolean =>
  TLP_LEVELS.indexOf(label) <= TLP_LEVELS.indexOf(ceiling)
