from zjtx.cli import main

main()
