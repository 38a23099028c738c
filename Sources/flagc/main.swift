import FlagCommands

await Flagc.runAndExit()
