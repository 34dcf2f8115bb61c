print("dsconsole")
